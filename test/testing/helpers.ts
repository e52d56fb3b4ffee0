/**
 * Helpers for the local-server tests: create predictions over HTTP, read raw stream bytes, parse
 * events with eventsource-parser (the WHATWG parser the library itself uses).
 */
import { afterEach } from 'vitest'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import type { Prediction } from '../../src/core/prediction'
import {
  LOCAL_API_TOKEN,
  startReplicateServer,
  type ReplicateServer,
  type ReplicateServerOptions,
} from '../../src/testing'

export const AUTH = { Authorization: `Bearer ${LOCAL_API_TOKEN}` }
export const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
export const HAIKU = 'Please write a haiku about llamas'

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
