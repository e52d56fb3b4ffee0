/**
 * Helpers for the local-server tests: create predictions over HTTP, read raw stream bytes, parse
 * events with eventsource-parser (the WHATWG parser the library itself uses).
 */
import { connect } from 'node:net'
import { afterEach } from 'vitest'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import type { Prediction } from '../src/core/prediction'
import {
  LOCAL_API_TOKEN,
  startReplicateServer,
  type ReplicateServer,
  type ReplicateServerOptions,
} from '../src/testing'

export const AUTH = { Authorization: `Bearer ${LOCAL_API_TOKEN}` }
export const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
export const HAIKU = 'Please write a haiku about llamas'

/**
 * Options for `vi.waitFor`: a condition that is slow to come true on a loaded machine must not
 * fail a correct test (`expect.poll` gets the same from `vitest.config.ts`).
 */
export const WAIT = { timeout: 10_000 }

/** `POST {apiUrl}/models/{model}/predictions` and return the 201 body. */
export async function createPrediction(
  apiUrl: string,
  model = LLAMA_3,
  input: Record<string, unknown> = { prompt: HAIKU },
): Promise<Prediction> {
  const response = await fetch(`${apiUrl}/models/${model}/predictions`, {
    method: 'POST',
    headers: { ...AUTH, 'Content-Type': 'application/json' },
    body: JSON.stringify({ input }),
  })
  if (response.status !== 201)
    throw new Error(`create: ${response.status} ${await response.text()}`)
  return (await response.json()) as Prediction
}

/** `GET {apiUrl}/predictions/{id}`. */
export async function getPrediction(apiUrl: string, id: string): Promise<Prediction> {
  const response = await fetch(`${apiUrl}/predictions/${id}`, { headers: AUTH })
  return (await response.json()) as Prediction
}

/** What a raw stream read returned. */
export interface RawStream {
  response: Response
  /** Decoded text received so far. */
  text: string
  /** `true` when the server ended the body, `false` when we stopped reading. */
  ended: boolean
}

/**
 * Reads the stream at `url` as text until `stop(text)` is true (then aborts the request) or the
 * server ends it.
 */
export async function readStream(
  url: string,
  stop: (text: string) => boolean = () => false,
  headers: Record<string, string> = {},
): Promise<RawStream> {
  const controller = new AbortController()
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  })
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return { response, text: text + decoder.decode(), ended: true }
    text += decoder.decode(value, { stream: true })
    if (stop(text)) {
      controller.abort()
      return { response, text, ended: false }
    }
  }
}

/** Stop condition: a complete `done` event has arrived. */
export const untilDone = (text: string): boolean =>
  /event: done\nid: [^\n]*\ndata: [^\n]*\n\n/.test(text)

/** Parses SSE text into events. */
export function parseEvents(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = []
  const parser = createParser({ onEvent: (event) => events.push(event) })
  parser.feed(text)
  return events
}

/** Reads the stream until `done` and returns its parsed events. */
export async function streamEvents(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventSourceMessage[]> {
  return parseEvents((await readStream(url, untilDone, headers)).text)
}

/**
 * Returns a `start(options)` that starts a server (cadence 'instant' unless given) and closes
 * every server it started after each test, so no test leaks sockets or timers.
 */
export function serverStarter(): (options?: ReplicateServerOptions) => Promise<ReplicateServer> {
  const servers: ReplicateServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })
  return async (options = {}) => {
    const server = await startReplicateServer({ cadence: 'instant', ...options })
    servers.push(server)
    return server
  }
}

/** What a raw HTTP/1.1 exchange over `node:net` saw. */
export interface RawExchange {
  /** `HTTP/1.1 200 OK`. */
  statusLine: string
  /** Response headers, names lower-cased. */
  headers: Record<string, string>
  /** Every byte received, head included, exactly as it came off the socket. */
  wire: Buffer
  /** The body with chunked framing removed. */
  body: Buffer
  /** The body as the server wrote it: one entry per HTTP chunk, i.e. per server-side write. */
  chunks: Buffer[]
  /** The chunked terminator `0\r\n\r\n` arrived: the server ended the body cleanly. */
  complete: boolean
  /** How the exchange ended: socket EOF, a reset/error, or we stopped reading. */
  ended: 'eof' | 'error' | 'stopped'
}

/** Splits a (possibly partial) chunked body into its chunks. */
function dechunk(raw: Buffer): { chunks: Buffer[]; complete: boolean } {
  const chunks: Buffer[] = []
  let offset = 0
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset)
    if (lineEnd === -1) return { chunks, complete: false }
    const size = parseInt(raw.subarray(offset, lineEnd).toString(), 16)
    if (size === 0) return { chunks, complete: raw.indexOf('\r\n', lineEnd + 2) !== -1 }
    const start = lineEnd + 2
    // A chunk cut short by a drop keeps the bytes that did arrive.
    chunks.push(raw.subarray(start, Math.min(start + size, raw.length)))
    if (start + size + 2 > raw.length) return { chunks, complete: false }
    offset = start + size + 2
  }
}

function parseExchange(wire: Buffer, ended: RawExchange['ended']): RawExchange {
  const headEnd = wire.indexOf('\r\n\r\n')
  const head =
    headEnd === -1 ? wire.toString('latin1') : wire.subarray(0, headEnd).toString('latin1')
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  const rawBody = headEnd === -1 ? Buffer.alloc(0) : wire.subarray(headEnd + 4)
  const { chunks, complete } =
    headEnd === -1
      ? { chunks: [], complete: false }
      : headers['transfer-encoding'] === 'chunked'
        ? dechunk(rawBody)
        : { chunks: [rawBody], complete: true }
  return { statusLine, headers, wire, body: Buffer.concat(chunks), chunks, complete, ended }
}

/**
 * Sends `GET url` over a plain TCP socket and records every byte, so tests see the wire itself:
 * status line, headers, chunk boundaries, a body cut mid-character, a reset. Resolves when the
 * socket ends or fails, or when `stop(exchange)` returns true (then the socket is destroyed).
 */
export function rawGet(
  url: string,
  headers: Record<string, string> = {},
  stop: (exchange: RawExchange) => boolean = () => false,
): Promise<RawExchange> {
  const { hostname, port, pathname, search } = new URL(url)
  return new Promise((resolve) => {
    const received: Buffer[] = []
    let settled = false
    const finish = (ended: RawExchange['ended']) => {
      if (settled) return
      settled = true
      resolve(parseExchange(Buffer.concat(received), ended))
    }
    const socket = connect(Number(port), hostname, () => {
      const lines = [`GET ${pathname}${search} HTTP/1.1`, `Host: ${hostname}:${port}`]
      for (const [name, value] of Object.entries({ Accept: 'text/event-stream', ...headers })) {
        lines.push(`${name}: ${value}`)
      }
      socket.write(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`)
    })
    socket.on('data', (data: Buffer) => {
      received.push(data)
      if (stop(parseExchange(Buffer.concat(received), 'stopped'))) {
        socket.destroy()
        finish('stopped')
      }
    })
    socket.on('end', () => finish('eof'))
    socket.on('error', () => finish('error'))
    socket.on('close', () => finish('eof'))
  })
}

/** Bytes of `text` in UTF-8. */
export const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8')
