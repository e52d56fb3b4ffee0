/**
 * The route handler's test bench: the local Replicate-compatible server as upstream, the handler
 * mounted on its own `node:http` server through `toNodeListener`, and callers that talk to it
 * over real HTTP. Everything started is closed after each test.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach } from 'vitest'
import {
  createPredictionHandler,
  toNodeListener,
  type PredictionHandler,
  type PredictionHandlerError,
  type PredictionHandlerOptions,
} from '../../src/server'
import {
  startReplicateServer,
  type ReplicateServer,
  type StartReplicateServerOptions,
} from '../../src/testing'

/** A 40-character token shaped like Replicate's. */
export const REAL_LOOKING_TOKEN = 'r8_Qm7Vt2Lx9Pz4Nc6Bw1Hs8Jd3Kf5Gy0Ra2Te9U'
/** A fixed signing secret for tests (48 characters). */
export const SECRET = 'test-secret-0123456789abcdef0123456789abcdef-xyz'
export const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
export const HAIKU = { prompt: 'Please write a haiku about llamas' }

/** `authorize` of the tests: the `X-Test-User` header names the caller; none is 401. */
export function headerAuthorize(request: Request): string | Response {
  return (
    request.headers.get('x-test-user') ??
    new Response(JSON.stringify({ detail: 'Sign in first.', status: 401 }), { status: 401 })
  )
}

/** One running bench. */
export interface Bench {
  upstream: ReplicateServer
  /** Origin of the server the handler is mounted on, e.g. `http://127.0.0.1:5555`. */
  origin: string
  /** `${origin}/api/predictions`. */
  endpoint: string
  handler: PredictionHandler
  /** What `onError` received, in order. */
  errors: PredictionHandlerError[]
  /** Requests the upstream received on `/v1` so far (method and path), oldest first. */
  upstreamCalls(): string[]
}

/** Starts upstreams and handler servers, and closes them all after each test. */
export function benchStarter() {
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()))
  })

  async function startUpstream(options: StartReplicateServerOptions = {}) {
    const upstream = await startReplicateServer({
      cadence: 'instant',
      token: REAL_LOOKING_TOKEN,
      predictionsEndpoint: null,
      ...options,
    })
    closers.push(() => upstream.close())
    return upstream
  }

  /** Serves `handler` on 127.0.0.1 through `toNodeListener`. */
  async function mount(handler: PredictionHandler): Promise<string> {
    const server: Server = createServer(toNodeListener(handler))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    )
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  /**
   * A handler (secret, `headerAuthorize`, `allowedModels: '*'` unless overridden) in front of
   * `upstream` (a fresh local server unless given), mounted on its own HTTP server.
   */
  async function start(
    options: Partial<PredictionHandlerOptions> = {},
    upstreamOrOptions: ReplicateServer | StartReplicateServerOptions = {},
  ): Promise<Bench> {
    const upstream =
      'apiUrl' in upstreamOrOptions
        ? (upstreamOrOptions as ReplicateServer)
        : await startUpstream(upstreamOrOptions)
    const errors: PredictionHandlerError[] = []
    const handler = createPredictionHandler({
      token: REAL_LOOKING_TOKEN,
      secret: SECRET,
      baseUrl: upstream.apiUrl,
      allowedModels: '*',
      authorize: headerAuthorize,
      onError: (error) => errors.push(error),
      ...options,
    })
    const origin = await mount(handler)
    return {
      upstream,
      origin,
      endpoint: `${origin}/api/predictions`,
      handler,
      errors,
      upstreamCalls: () =>
        upstream.requests
          .filter((r) => r.path.startsWith('/v1'))
          .map((r) => `${r.method} ${r.path}`),
    }
  }

  return { start, startUpstream, mount }
}

/** A caller of the route: every request carries its `X-Test-User`. */
export interface Caller {
  create(body?: unknown, headers?: Record<string, string>): Promise<Reply>
  get(id: string): Promise<Reply>
  cancel(id: string): Promise<Reply>
  request(path: string, init?: RequestInit): Promise<Reply>
}

/** A response with its body already read. */
export interface Reply {
  status: number
  headers: Headers
  text: string
  json: Record<string, unknown>
}

/** A caller named `user` of `bench`'s route (no `X-Test-User` header when `user` is null). */
export function caller(bench: { endpoint: string }, user: string | null): Caller {
  const request = async (path: string, init: RequestInit = {}): Promise<Reply> => {
    const headers = new Headers(init.headers)
    if (user !== null) headers.set('X-Test-User', user)
    const response = await fetch(bench.endpoint + path, { ...init, headers })
    return read(response)
  }
  return {
    request,
    create: (body = { model: LLAMA_3, input: HAIKU }, headers = {}) =>
      request('', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (id) => request(`/${encodeURIComponent(id)}`),
    cancel: (id) => request(`/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
  }
}

/** Reads `response` whole; `json` is `{}` when the body is not JSON. */
export async function read(response: Response): Promise<Reply> {
  const text = await response.text()
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch {
    // not JSON: tests look at `text`
  }
  return { status: response.status, headers: response.headers, text, json }
}
