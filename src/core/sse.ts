import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { ConnectionError, ProtocolError } from './errors'
import { BlockScanner, type IdOnlyBlock } from './sse-blocks'
import { isRetryableStatus, parseRetryAfter } from './retry'

/** One connection attempt to a prediction's `urls.stream`. */
export interface EventStreamRequest {
  url: string
  fetch: typeof fetch
  /** Sent as `Last-Event-ID` so the server resumes after it (WHATWG HTML §9.2.3). */
  lastEventId: string | null
  signal: AbortSignal
  /** The response was 200 `text/event-stream`; events are about to flow. */
  onOpen: () => void
  /** One dispatched event. */
  onEvent: (event: EventSourceMessage) => void
  /**
   * A block with an `id` field and no `data` ended: no event is dispatched, but WHATWG HTML
   * §9.2.6 sets the last event ID from it.
   */
  onLastEventId?: (id: string) => void
  /**
   * Every event of one network chunk has been delivered through `onEvent`: the moment to apply
   * them as one change.
   */
  onChunkEnd?: () => void
  /** A valid `retry:` field (ms). */
  onRetry?: (ms: number) => void
  /** Bytes arrived (comments included): the connection is alive. */
  onBytes?: () => void
  /**
   * Largest event (its data and any unfinished line), in characters; a larger one fails the
   * connection with a {@link ProtocolError}.
   * @defaultValue {@link DEFAULT_MAX_EVENT_SIZE}
   */
  maxEventSize?: number
}

/**
 * Largest event the parser buffers by default, in characters. Replicate's events are tokens, but
 * the Go client's tests stream 16 MB data lines (docs/replicate-protocol.md C-13), so the limit
 * is configurable; beyond it a broken or hostile server is stopped instead of growing memory
 * without bound.
 */
export const DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024

/** Longest `id` remembered from a block without data, in characters (an event's id has no cap). */
const MAX_ID_LENGTH = 1024

/**
 * Opens one server-sent event connection and reads it to its end.
 *
 * Resolves when the server ends the stream normally (the caller decides whether that was after
 * `done`) or when `signal` aborts before the request is made; rejects with a
 * {@link ConnectionError} whose `retryable` says whether reconnecting may help, a
 * {@link ProtocolError}, or the abort reason when `signal` aborts mid-request.
 *
 * The connection is ours (docs/sse-transport.md §6): a `fetch`, the WHATWG checks on the
 * response, a streaming UTF-8 decoder and `eventsource-parser`, with a block scanner beside the
 * parser for what it does not report. Reconnecting with backoff is the caller's.
 */
export async function openEventStream(request: EventStreamRequest): Promise<void> {
  if (request.signal.aborted) return
  const response = await connect(request)
  await pump(response, request)
}

async function connect(request: EventStreamRequest): Promise<Response> {
  const headers = new Headers({ Accept: 'text/event-stream' })
  const lastEventId = encodeHeaderValue(request.lastEventId)
  if (lastEventId) headers.set('Last-Event-ID', lastEventId)
  let response: Response
  try {
    // No credentials and no custom headers: urls.stream is a capability URL on another
    // origin, and extra headers would force a CORS preflight (docs/replicate-protocol.md §2.2).
    response = await request.fetch(request.url, {
      headers,
      cache: 'no-store',
      signal: request.signal,
    })
  } catch (cause) {
    if (request.signal.aborted) throw cause
    throw new ConnectionError(`Could not connect to ${request.url}`, { retryable: true, cause })
  }
  classify(response, request.url)
  request.onOpen()
  return response
}

/**
 * WHATWG HTML §9.2.3: only a 200 with MIME type `text/event-stream` is announced; anything else
 * fails the connection. Retrying 408, 429 and 5xx is our policy on top (docs/design.md rule 5).
 */
function classify(response: Response, url: string): void {
  const { status } = response
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
  if (status !== 200) {
    void response.body?.cancel().catch(() => {})
    const retryable = isRetryableStatus(status)
    throw new ConnectionError(`Stream ${url} answered HTTP ${status}`, {
      retryable,
      status,
      retryAfterMs,
    })
  }
  const essence = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (essence !== 'text/event-stream' || !response.body) {
    void response.body?.cancel().catch(() => {})
    throw new ConnectionError(
      `Stream ${url} answered ${essence || 'no content type'} instead of text/event-stream`,
      { retryable: false, status },
    )
  }
}

async function pump(response: Response, request: EventStreamRequest): Promise<void> {
  // The body is guaranteed by classify().
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  // A streaming decoder: a UTF-8 character split across chunks must not become U+FFFD
  // (docs/replicate-protocol.md C-23). It drops one leading BOM, as the spec asks.
  const decoder = new TextDecoder()
  let overflow: ProtocolError | undefined
  const maxEventSize = request.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE
  // Abort events fire synchronously, so this flag is as current as `signal.aborted` and cheaper
  // to read once per event.
  let stopped = false
  let delivered = 0
  // Id-only blocks the scanner has ended and the parser has not reached yet. The scanner reads
  // each chunk first; the parser also holds a line ended by a CR at the end of a chunk until
  // the next chunk shows whether a LF follows.
  let idOnly: readonly IdOnlyBlock[] = []
  let nextIdOnly = 0
  const deliverIdOnly = () => {
    while (nextIdOnly < idOnly.length && !stopped) {
      const block = idOnly[nextIdOnly] as IdOnlyBlock
      if (block.dataBlocksBefore > delivered) return
      nextIdOnly += 1
      request.onLastEventId?.(block.id)
    }
  }
  const parser = createParser({
    onEvent: (event) => {
      if (nextIdOnly < idOnly.length) deliverIdOnly()
      if (stopped) return
      delivered += 1
      request.onEvent(event)
    },
    onRetry: (ms) => request.onRetry?.(ms),
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') {
        overflow = new ProtocolError(
          `An event exceeded the maximum event size (${maxEventSize} characters)`,
          { cause: error },
        )
      }
    },
    maxBufferSize: maxEventSize,
  })
  const blocks = new BlockScanner(MAX_ID_LENGTH)
  // eventsource-parser 3.1 strips U+00EF U+00BB U+00BF (a BOM's bytes read as Latin-1) from its
  // first chunk; the decoder has already removed the real BOM, so give it an empty first chunk.
  parser.feed('')
  const feed = (text: string) => {
    const found = blocks.feed(text)
    if (found.length > 0) {
      idOnly = idOnly.slice(nextIdOnly).concat(found)
      nextIdOnly = 0
    }
    parser.feed(text)
    // Those after the chunk's last event; none past an event too large to be dispatched.
    if (!overflow) deliverIdOnly()
  }
  // An injected fetch may not tie its body to the signal: stop reading on abort regardless.
  const stop = () => {
    stopped = true
    void reader.cancel().catch(() => {})
  }
  request.signal.addEventListener('abort', stop, { once: true })
  if (request.signal.aborted) stop()
  let last = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done || stopped) break
      request.onBytes?.()
      const text = decoder.decode(value, { stream: true })
      if (text) last = text
      feed(text)
      request.onChunkEnd?.()
      if (overflow) throw overflow
    }
    const rest = decoder.decode()
    feed(rest)
    // A lone CR is a complete line ending (WHATWG §9.2.5), but eventsource-parser 3.1 waits for
    // a possible LF after it; at the end of the stream none can come, so supply it.
    if ((rest || last).endsWith('\r')) feed('\n')
    request.onChunkEnd?.()
  } catch (cause) {
    if (request.signal.aborted || cause instanceof ProtocolError) throw cause
    throw new ConnectionError(`The stream ${request.url} broke off`, { retryable: true, cause })
  } finally {
    request.signal.removeEventListener('abort', stop)
    // Cancelling (not just unlocking) frees the socket when we stop early on an overflow.
    stop()
  }
}

/**
 * Header values are byte strings: a last event ID with characters above U+00FF would make
 * `fetch` throw on every reconnect (docs/sse-transport.md B14). WHATWG sends the ID UTF-8 encoded,
 * so any non-ASCII ID goes as its UTF-8 bytes, one Latin-1 character per byte.
 */
function encodeHeaderValue(value: string | null): string | undefined {
  if (!value || value.includes('\0')) return undefined
  if (!/[^ -~\t]/.test(value)) return value
  let latin1 = ''
  for (const byte of new TextEncoder().encode(value)) latin1 += String.fromCharCode(byte)
  return latin1
}
