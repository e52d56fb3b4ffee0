import { fetchEventSource } from '@microsoft/fetch-event-source'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { ConnectionError, ProtocolError } from './errors'
import { BlockScanner, type ScannedBlock } from './sse-blocks'
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
 * `done`) or when `signal` aborts; rejects with a {@link ConnectionError} whose `retryable` says
 * whether reconnecting may help, or a {@link ProtocolError}.
 *
 * `@microsoft/fetch-event-source` owns the connection (open gate, close-vs-error routing, abort),
 * but its parser drops newline-only tokens and leading empty data lines, commits `Last-Event-ID`
 * before dispatch and chokes on non-Latin-1 ids (docs/sse-transport.md §2.1). So it is handed a
 * "shadow body" (docs/sse-transport.md §6): our `fetch` pipes the real body through a streaming
 * UTF-8 decoder into `eventsource-parser` and gives fes an empty stream that only mirrors the
 * end or the error. Its retry loop is never used: `onerror` always rethrows, and the caller
 * schedules reconnects with backoff.
 */
export async function openEventStream(request: EventStreamRequest): Promise<void> {
  // fes ignores a signal that is already aborted and connects anyway (fetch-event-source #98).
  if (request.signal.aborted) return
  if (!hasDom()) {
    // fes calls `document.removeEventListener` and `window.clearTimeout` unconditionally when it
    // disposes, which throws or crashes a DOM-less runtime (docs/sse-transport.md §2, A1–A4). There,
    // the same pipeline runs without it.
    const response = await connect(request)
    await pump(response, request)
    return
  }
  await fetchEventSource(request.url, {
    signal: request.signal,
    openWhenHidden: true,
    fetch: async (_input, init) => {
      // fes's own controller: aborting through fes must also abort the real request.
      const response = await connect({ ...request, signal: init?.signal ?? request.signal })
      const shadow = new ReadableStream<Uint8Array>({
        // Pump from start(): a pull() that resolves without enqueueing stalls the stream forever.
        start(controller) {
          pump(response, request).then(
            () => controller.close(),
            (error: unknown) => controller.error(error),
          )
        },
      })
      return new Response(shadow, { status: 200, headers: response.headers })
    },
    // Classification already happened in `connect`.
    onopen: async () => {},
    onmessage: () => {},
    onerror: (error: unknown) => {
      throw error
    },
  })
}

function hasDom(): boolean {
  return typeof window !== 'undefined' && typeof document !== 'undefined'
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
  const parsed: EventSourceMessage[] = []
  const parser = createParser({
    onEvent: (event) => void parsed.push(event),
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
  // Blocks the scanner has ended and the parser has not dispatched yet: the parser holds a line
  // ended by a CR at the end of a chunk until the next chunk shows whether a LF follows.
  let waiting: ScannedBlock[] = []
  const feed = (text: string) => {
    parser.feed(text)
    if (!overflow) for (const block of blocks.feed(text)) waiting.push(block)
    // Delivered blocks are counted, not shifted off one by one: a chunk of a thousand events
    // would otherwise move the queue a thousand times.
    let next = 0
    let done = 0
    for (; done < waiting.length; done += 1) {
      if (request.signal.aborted) return
      const block = waiting[done] as ScannedBlock
      if (block.data) {
        const event = parsed[next]
        if (!event) break
        next += 1
        request.onEvent(event)
      } else if (block.id !== undefined) request.onLastEventId?.(block.id)
    }
    waiting = done === waiting.length ? [] : waiting.slice(done)
    // Never lose an event, should the two ever disagree.
    for (let index = next; index < parsed.length; index += 1) {
      if (!request.signal.aborted) request.onEvent(parsed[index] as EventSourceMessage)
    }
    parsed.length = 0
  }
  // An injected fetch may not tie its body to the signal: stop reading on abort regardless.
  const stop = () => void reader.cancel().catch(() => {})
  request.signal.addEventListener('abort', stop, { once: true })
  let last = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done || request.signal.aborted) break
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
