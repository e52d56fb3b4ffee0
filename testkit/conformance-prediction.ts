/**
 * A `PredictionStream` wired to the scripted fetch, for conformance cases that concern the whole
 * lifecycle (create → stream → reconnect → reconcile). One scripted response per request, in
 * order: the endpoint's `POST`, then the stream's `GET`s, then any `GET`/cancel of the
 * prediction. Tests assert {@link PredictionHarness.routes} so that a request served the wrong
 * script says so instead of failing obscurely.
 */
import {
  PredictionStream,
  type Prediction,
  type PredictionStreamOptions,
  type Timers,
} from '../src/core/index'
import { scriptedFetch, type ScriptedResponse } from './controlled-fetch'

// The conformance tests import their wait from here with the rest of the harness.
export { until } from './until'

export const ENDPOINT = 'http://127.0.0.1:1/api/predictions'
export const PREDICTION_ID = 'kr2d2jhqbsrj60cjb2vtmekgh4'
/** On another origin than the endpoint, as Replicate's stream host is. */
export const STREAM_URL = 'http://127.0.0.1:2/v1/streams/xywa7jbwzc2dlivp7gsgtrlzdkjzm5q5fijs'
export const FILES_STREAM_URL = 'http://127.0.0.1:2/v1/files/kzvt-abcd'

/**
 * The stall watchdog's delay. Distinct from any backoff, so the recording timers can tell the
 * watchdog (armed on every connection, cleared when it ends) from the delays under test.
 */
export const STALL_MS = 3_600_000

/**
 * A prediction as the endpoint returns it (docs/replicate-protocol.md §1.2), `starting` by
 * default.
 */
export function prediction(overrides: Partial<Prediction> = {}): Prediction {
  return {
    id: PREDICTION_ID,
    model: 'meta/meta-llama-3-8b-instruct',
    version: 'hidden',
    input: { prompt: 'Please write a haiku about llamas' },
    output: null,
    logs: '',
    error: null,
    status: 'starting',
    created_at: '2024-10-04T18:07:35.262Z',
    data_removed: false,
    urls: {
      get: `https://api.replicate.com/v1/predictions/${PREDICTION_ID}`,
      cancel: `https://api.replicate.com/v1/predictions/${PREDICTION_ID}/cancel`,
      web: `https://replicate.com/p/${PREDICTION_ID}`,
      stream: STREAM_URL,
    },
    ...overrides,
  }
}

/** A JSON answer of the endpoint: 201 for the create, 200 for a GET or cancel. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Step {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    chunks: [JSON.stringify(body)],
  }
}

export const created = (overrides: Partial<Prediction> = {}) => json(prediction(overrides), 201)

/** One Replicate event as nchan frames it: a `data:` line per `\n`-separated piece (§2.4). */
export function sseEvent(event: string, id: string | undefined, data: string): string {
  const lines = [`event: ${event}`]
  if (id !== undefined) lines.push(`id: ${id}`)
  for (const piece of data.split('\n')) lines.push(`data: ${piece}`)
  return `${lines.join('\n')}\n\n`
}

/** A 200 `text/event-stream` answer made of these chunks. */
export const sse = (...chunks: (string | Uint8Array)[]): Step => ({ chunks })

export interface Step extends ScriptedResponse {
  /** Keep the body open after its chunks, as Replicate does after `done` (E-8). */
  holdOpen?: boolean
}

export interface Request {
  route: 'create' | 'stream' | 'get' | 'cancel' | 'other'
  url: string
  method: string
  lastEventId: string | null
  /** The signal the request was made with: aborted once the client gave the request up. */
  signal: AbortSignal | undefined
  init: RequestInit | undefined
  /** Whether the client cancelled the response body. */
  bodyCancelled: boolean
}

function routeOf(url: string, method: string): Request['route'] {
  if (url === ENDPOINT && method === 'POST') return 'create'
  if (url.startsWith('http://127.0.0.1:2/')) return 'stream'
  if (url === `${ENDPOINT}/${PREDICTION_ID}` && method === 'GET') return 'get'
  if (url === `${ENDPOINT}/${PREDICTION_ID}/cancel` && method === 'POST') return 'cancel'
  return 'other'
}

/**
 * The scripted fetch, recording each request's signal and init, and able to hold a body open.
 */
export function recordingFetch(steps: Step[]) {
  const scripted = scriptedFetch(steps)
  const held = steps.map((step) => step.holdOpen === true)
  const requests: Request[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const method = init?.method ?? 'GET'
    const request: Request = {
      route: routeOf(url, method),
      url,
      method,
      lastEventId: new Headers(init?.headers).get('last-event-id'),
      signal: init?.signal ?? undefined,
      init,
      bodyCancelled: false,
    }
    requests.push(request)
    const hold = held.shift() ?? false
    const response = await scripted.fetch(input, init)
    if (!response.body) return response
    const reader = response.body.getReader()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read()
        // Resolving without enqueueing leaves the read pending: the connection stays open.
        if (done && hold) return
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel(reason) {
        request.bodyCancelled = true
        return reader.cancel(reason)
      },
    })
    return new Response(body, { status: response.status, headers: response.headers })
  }
  return { fetch: fetch as typeof globalThis.fetch, requests }
}

/**
 * Timers that record every requested delay and run it at once (on the next macrotask), so a
 * test asserts the delay the code asked for instead of waiting for it. The stall watchdog
 * ({@link STALL_MS}) never fires.
 */
export function recordingTimers() {
  const delays: number[] = []
  const watchdogs = new Set<object>()
  const live = new Set<unknown>()
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      if (ms === STALL_MS) {
        const handle = {}
        watchdogs.add(handle)
        return handle
      }
      delays.push(ms)
      const handle = globalThis.setTimeout(() => {
        live.delete(handle)
        callback()
      }, 0)
      live.add(handle)
      return handle
    },
    clearTimeout: (handle) => {
      if (typeof handle === 'object' && handle !== null && watchdogs.delete(handle)) return
      live.delete(handle)
      globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>)
    },
  }
  /** Timers scheduled and not yet run or cleared, watchdogs included. */
  const pending = () => live.size + watchdogs.size
  return { timers, delays, pending }
}

export type PredictionHarness = ReturnType<typeof predictionHarness>

/** A `PredictionStream` on the scripted steps; `start()` resolves when the run has ended. */
export function predictionHarness(steps: Step[], options: Partial<PredictionStreamOptions> = {}) {
  const { fetch, requests } = recordingFetch(steps)
  const recording = recordingTimers()
  const stream = new PredictionStream({
    endpoint: ENDPOINT,
    model: 'meta/meta-llama-3-8b-instruct',
    fetch,
    timers: recording.timers,
    stallTimeoutMs: STALL_MS,
    eventTimeoutMs: STALL_MS,
    ...options,
  })
  return {
    stream,
    requests,
    /** Delays the run asked its timers for (backoff, Retry-After, polling), in order. */
    delays: recording.delays,
    /** Timers the stream still holds (0 when nothing is scheduled). */
    pendingTimers: recording.pending,
    routes: () => requests.map((request) => request.route),
    streamRequests: () => requests.filter((request) => request.route === 'stream'),
    start: () => stream.start({ prompt: 'Please write a haiku about llamas' }),
    snapshot: () => stream.getSnapshot(),
  }
}

/** A header value as WHATWG sends the last event ID: its UTF-8 bytes, one Latin-1 char each. */
export function decodeHeader(value: string | null): string | null {
  if (value === null) return null
  return new TextDecoder().decode(Uint8Array.from(value, (character) => character.charCodeAt(0)))
}
