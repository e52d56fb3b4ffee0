/**
 * Options of `createPredictionHandler`, their defaults and their validation. Everything that can
 * be checked when the handler is created is checked here, synchronously; the token and the
 * secret may come from the environment and are only read per request (see `environment.ts`).
 */
import { InvalidOptionsError } from '../core/errors'
import {
  type AllowedCheck,
  type AllowedModelsOption,
  resolveAllowedModels,
} from './request/allowed-models'
import { MAX_BODY_BYTES, type CreateTarget } from './request/create-request'
import { MIN_SECRET_LENGTH } from './environment'
import type { PredictionHandlerError } from './handler-error'
import type { LimitStore } from './limits/limit-store'
import type { LimitSettings, RateLimit } from './limits/limits'
import { createMemoryLimitStore } from './limits/memory-limit-store'

/** What {@link PredictionHandlerOptions.prepareInput} is given. */
export interface PrepareInputArgs {
  /** The `input` object the browser sent (parsed JSON; change a copy or return a new one). */
  input: Record<string, unknown>
  /** What is being run: `owner/name` for a model or deployment, the version string for a version. */
  model: string
  /** Whether `model` names a model, a version or a deployment. */
  kind: CreateTarget['kind']
  /** The caller, as `authorize` returned it. */
  subject: string
  /** The incoming request (its headers; its body is already read). */
  request: Request
}

/** Options of `createPredictionHandler`. Only `allowedModels` is required. */
export interface PredictionHandlerOptions {
  /**
   * What the browser may run: `'*'` for every model, version and deployment (said explicitly,
   * since the route runs models on the token's bill); an array of model names (`owner/name`)
   * and exact version strings; or `{ models, versions, deployments }`. Anything else is 403 and
   * nothing is sent upstream. Required: without it, `createPredictionHandler` throws
   * `InvalidOptionsError`.
   */
  allowedModels: AllowedModelsOption
  /**
   * Replicate API token, sent upstream as `Authorization: Bearer <token>`
   * (https://replicate.com/docs/reference/http#authentication).
   *
   * @defaultValue `process.env.REPLICATE_API_TOKEN`, read on every request, so a route module
   *   loads (and `next build` succeeds) without it. When neither is set, requests get a 500
   *   problem and `onError` gets a `missing_token` error.
   */
  token?: string
  /**
   * Key of the HMAC-SHA-256 signatures on prediction references and the anonymous session
   * cookie: at least 32 characters of random text (`openssl rand -base64 32`), the same on every
   * instance of the app. An array rotates keys: the first signs, every one verifies.
   *
   * @defaultValue `process.env.PREDICTION_HANDLER_SECRET`, read on every request. When neither
   *   is set (or it is shorter than 32 characters), requests get a 500 problem and `onError` a
   *   `missing_secret` error.
   */
  secret?: string | readonly string[]
  /**
   * Who the caller is: resolve a non-empty subject string (a user id, an API key id), or a
   * `Response` to send instead (a 401 or a redirect). Called on every request, create, GET and
   * cancel, before anything reaches upstream; references only work for the subject they were
   * created for. May be async; a throw answers 500 and reaches `onError`.
   *
   * @defaultValue an anonymous session per browser: a signed, `HttpOnly`, `SameSite=Lax` session
   *   cookie named `prediction-session`, set on the first create. It proves ownership of
   *   predictions, not identity: per-subject limits do not bind a client that drops its cookie.
   */
  authorize?: (request: Request) => string | Response | Promise<string | Response>
  /**
   * Origins besides the route's own that may call it from a browser: exact `scheme://host[:port]`
   * strings (https://www.rfc-editor.org/rfc/rfc6454). They get CORS headers and preflight
   * answers (https://fetch.spec.whatwg.org/#http-cors-protocol); any other `Origin` is 403.
   *
   * @defaultValue `[]`
   */
  allowedOrigins?: readonly string[]
  /**
   * Creates allowed per subject: `{ limit, windowMs }` (a count, and a fixed window in ms that
   * starts at the subject's first create), or `false` for none. Over it: 429 with `Retry-After`
   * in seconds to the window's end (https://www.rfc-editor.org/rfc/rfc6585#section-4).
   *
   * @defaultValue `{ limit: 20, windowMs: 60_000 }`
   */
  rateLimit?: RateLimit | false
  /**
   * Predictions a subject may have running at once, or `false` for no cap. At the cap, the
   * subject's running predictions are checked upstream and ended ones free their slot; if none
   * did: 429 with `Retry-After: 5`. A prediction holds its slot until it is seen ended (a GET or
   * cancel through the route, or that check) or for `maxRunTimeMs` (one hour without it).
   *
   * @defaultValue `4`
   */
  maxConcurrentPredictions?: number | false
  /**
   * Where limits are counted. The default counts in this process's memory, so per instance; use
   * `createRedisLimitStore(client)` to share limits between instances.
   *
   * @defaultValue `createMemoryLimitStore()`
   */
  limitStore?: LimitStore
  /**
   * Validates, clamps or fills the input on the server before it goes upstream: inject a system
   * prompt, cap `max_new_tokens`, refuse a prompt. Return the input to send (a JSON object), or a
   * `Response` to answer instead (`inputProblem([...])` builds Replicate's 422). May be async;
   * runs after the model check and the limits.
   *
   * A throw, or a result that is neither a JSON object nor a `Response`, answers 500 and
   * reaches `onError` as `internal`.
   *
   * @defaultValue none: the input goes upstream as the browser sent it
   */
  prepareInput?: (
    args: PrepareInputArgs,
  ) => Record<string, unknown> | Response | Promise<Record<string, unknown> | Response>
  /**
   * Longest a prediction may run, in ms, sent upstream as `Cancel-After` in whole seconds
   * (rounded up): Replicate cancels it then, so a runaway prediction cannot bill forever
   * (https://replicate.com/docs/topics/predictions/create-a-prediction, docs/replicate-protocol.md
   * §1.1). At least 5000, Replicate's minimum.
   *
   * @defaultValue none: no `Cancel-After`
   */
  maxRunTimeMs?: number
  /**
   * Include the model's `logs` in the predictions the browser sees.
   *
   * @defaultValue `false`
   */
  exposeLogs?: boolean
  /**
   * Include `input` (as upstream echoes it: after `prepareInput`, with any injected system
   * prompt) in the predictions the browser sees.
   *
   * @defaultValue `false`
   */
  exposeInput?: boolean
  /**
   * How long a prediction reference stays valid, in ms; after it, GET and cancel are 404.
   *
   * @defaultValue `86_400_000` (24 hours)
   */
  referenceTtlMs?: number
  /**
   * Upstream API base URL: `https:`, or `http:` on a loopback host (`localhost`, `127.0.0.1`,
   * `[::1]`) for a local server; no credentials, query or fragment. A trailing `/` is fine.
   *
   * @defaultValue `'https://api.replicate.com/v1'`
   */
  baseUrl?: string
  /**
   * Path the handler answers, matched on the request's pathname.
   *
   * @defaultValue `'/api/predictions'`
   */
  endpoint?: string
  /**
   * `fetch` used for upstream calls.
   *
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof fetch
  /**
   * Longest wait for an upstream reply, in ms, body included; then 504.
   *
   * @defaultValue `30_000`
   */
  upstreamTimeoutMs?: number
  /**
   * Largest create body accepted, in bytes; larger is 413.
   *
   * @defaultValue `1_048_576` (1 MiB)
   */
  maxBodyBytes?: number
  /**
   * Largest upstream reply read, in bytes; a larger one is refused (502), never buffered whole.
   *
   * @defaultValue `8_388_608` (8 MiB)
   */
  maxUpstreamBytes?: number
  /**
   * Receives every server-side failure (500, 502, 503, 504, and upstream 401/402/403) with the
   * request, for the app's log. The error never contains the token. A throwing `onError` is
   * ignored.
   *
   * @defaultValue `(error) => console.error(error)`
   */
  onError?: (error: PredictionHandlerError, request: Request) => void
  /**
   * Clock in ms since the epoch, for reference expiry and the in-memory limit store.
   *
   * @defaultValue `Date.now`
   */
  now?: () => number
}

/** The options with every default applied. */
export interface ResolvedHandlerOptions {
  isAllowed: AllowedCheck
  token: string | undefined
  secrets: readonly string[] | undefined
  authorize: PredictionHandlerOptions['authorize']
  allowedOrigins: ReadonlySet<string>
  limits: LimitSettings
  prepareInput: PredictionHandlerOptions['prepareInput']
  maxRunTimeMs: number | undefined
  expose: { logs: boolean; input: boolean }
  referenceTtlMs: number
  baseUrl: string
  endpoint: string
  fetch: typeof fetch
  upstreamTimeoutMs: number
  maxBodyBytes: number
  maxUpstreamBytes: number
  onError: NonNullable<PredictionHandlerOptions['onError']>
  now: () => number
}

const DEFAULT_RATE_LIMIT: RateLimit = { limit: 20, windowMs: 60_000 }
const DEFAULT_MAX_CONCURRENT = 4
const DEFAULT_LEASE_MS = 60 * 60 * 1000
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Applies defaults and validates.
 *
 * @throws InvalidOptionsError for a missing `allowedModels` or any option of the wrong type or
 *   range.
 */
export function resolveHandlerOptions(options: PredictionHandlerOptions): ResolvedHandlerOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object.')
  const baseUrl = resolveBaseUrl(options.baseUrl ?? 'https://api.replicate.com/v1')
  const { endpoint = '/api/predictions' } = options
  if (typeof endpoint !== 'string' || !/^\/[^?#]*$/.test(endpoint)) {
    fail('`endpoint` must be a path starting with /.')
  }
  const fetchImpl = options.fetch ?? globalThis.fetch
  if (typeof fetchImpl !== 'function') fail('`fetch` must be a function.')
  for (const name of ['authorize', 'prepareInput', 'onError', 'now'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      fail(`\`${name}\` must be a function.`)
    }
  }
  const { maxRunTimeMs } = options
  if (maxRunTimeMs !== undefined && !(Number.isFinite(maxRunTimeMs) && maxRunTimeMs >= 5000)) {
    fail("`maxRunTimeMs` must be a number of ms ≥ 5000 (Replicate's minimum Cancel-After).")
  }
  const upstreamTimeoutMs = positive(options.upstreamTimeoutMs, 30_000, 'upstreamTimeoutMs')
  const maxConcurrent = resolveMaxConcurrent(options.maxConcurrentPredictions)
  return {
    isAllowed: resolveAllowedModels(options.allowedModels),
    token: resolveToken(options.token),
    secrets: resolveSecrets(options.secret),
    authorize: options.authorize,
    allowedOrigins: resolveOrigins(options.allowedOrigins),
    limits: {
      rate: resolveRateLimit(options.rateLimit),
      maxConcurrent,
      store: options.limitStore ?? createMemoryLimitStore({ now: options.now }),
      leaseMs: maxRunTimeMs ?? DEFAULT_LEASE_MS,
      reservationMs: upstreamTimeoutMs + 5_000,
    },
    prepareInput: options.prepareInput,
    maxRunTimeMs,
    expose: {
      logs: flag(options.exposeLogs, 'exposeLogs'),
      input: flag(options.exposeInput, 'exposeInput'),
    },
    referenceTtlMs: positive(options.referenceTtlMs, 86_400_000, 'referenceTtlMs'),
    baseUrl,
    endpoint: endpoint.replace(/\/+$/, ''),
    fetch: fetchImpl,
    upstreamTimeoutMs,
    maxBodyBytes: positive(options.maxBodyBytes, MAX_BODY_BYTES, 'maxBodyBytes'),
    maxUpstreamBytes: positive(options.maxUpstreamBytes, 8 * 1024 * 1024, 'maxUpstreamBytes'),
    onError: options.onError ?? ((error) => console.error(error)),
    now: options.now ?? Date.now,
  }
}

function resolveBaseUrl(value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value)) fail('`baseUrl` must be an absolute URL.')
  const url = new URL(value)
  // The token goes wherever baseUrl points: only over TLS, or to this machine.
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))
  if (!ok || url.username || url.password || url.search || url.hash) {
    fail('`baseUrl` must be an https: URL (http: only on localhost), without credentials or query.')
  }
  return value.replace(/\/+$/, '')
}

function resolveToken(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') fail('`token` must be a non-empty string.')
  return value
}

function resolveSecrets(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined
  const secrets = typeof value === 'string' ? [value] : value
  if (
    !Array.isArray(secrets) ||
    secrets.length === 0 ||
    !secrets.every((s) => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
  ) {
    fail(`\`secret\` must be a string (or strings) of at least ${MIN_SECRET_LENGTH} characters.`)
  }
  return [...secrets]
}

function resolveOrigins(value: unknown): ReadonlySet<string> {
  if (value === undefined) return new Set()
  if (!Array.isArray(value)) fail('`allowedOrigins` must be an array of origins.')
  for (const origin of value) {
    if (typeof origin !== 'string' || !URL.canParse(origin) || new URL(origin).origin !== origin) {
      fail(`\`allowedOrigins\`: "${String(origin)}" is not an origin like https://app.example.`)
    }
  }
  return new Set(value as string[])
}

function resolveRateLimit(value: unknown): RateLimit | undefined {
  if (value === false) return undefined
  if (value === undefined) return DEFAULT_RATE_LIMIT
  const { limit, windowMs } = (value ?? {}) as Partial<RateLimit>
  if (!Number.isInteger(limit) || limit! < 1 || !Number.isFinite(windowMs) || windowMs! <= 0) {
    fail('`rateLimit` must be false or { limit: integer ≥ 1, windowMs: number > 0 }.')
  }
  return { limit: limit!, windowMs: windowMs! }
}

function resolveMaxConcurrent(value: unknown): number | undefined {
  if (value === false) return undefined
  if (value === undefined) return DEFAULT_MAX_CONCURRENT
  if (!Number.isInteger(value) || (value as number) < 1) {
    fail('`maxConcurrentPredictions` must be false or an integer ≥ 1.')
  }
  return value as number
}

function positive(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`\`${name}\` must be a number > 0.`)
  }
  return value
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') fail(`\`${name}\` must be a boolean.`)
  return value
}

function fail(message: string): never {
  throw new InvalidOptionsError(`createPredictionHandler: ${message}`)
}
