/**
 * Options of the local Replicate-compatible server, their defaults and their validation.
 */
import { InvalidOptionsError } from '../core/errors'
import { CADENCES, resolveCadence, type CadenceOption, type ResolvedCadence } from './cadence'
import { resolveFaults } from './fault-state'
import type { Faults } from './faults'
import { findModel, SERVED_MODELS } from './models'
import type { FailureInjection } from './prediction-store'
import { randomSeed } from './random'

export { CADENCES }

/**
 * The API token the local server accepts by default. It protects nothing: it only exists so that
 * code written for Replicate (which always sends a token) runs unchanged against the local server.
 * It is not a secret and never works against api.replicate.com.
 */
export const LOCAL_API_TOKEN = 'r8_local_development_token'

/** Options of {@link createReplicateApp} and {@link startReplicateServer}. */
export interface ReplicateServerOptions {
  /**
   * Bearer token required on `/v1` (Replicate: `Authorization: Bearer <token>`, `replicate-protocol.md`
   * §1). Stream URLs need none: they are capability URLs (§2.2). Default {@link LOCAL_API_TOKEN}.
   */
  token?: string
  /**
   * When outputs are published (see {@link CadenceOption}): `'realistic'` (default: 500 ms, then
   * one every 40 ms), `'fast'`, `'instant'`, `'bursty'`, `{ firstOutputDelayMs, outputIntervalMs }`,
   * `{ tokensPerSecond }` or `{ burstSize: { min, max }, burstIntervalMs }`.
   */
  cadence?: CadenceOption
  /**
   * Makes every prediction created from now on fail after `afterOutputs` outputs (clamped to the
   * model's output count): an `error` event `{"detail": detail}`, then `done {"reason": "error"}`,
   * status `failed` (§2.3, §2.4). `detail` defaults to `"Simulated failure after N outputs"`.
   * Default `null`. The same as `faults.fail`; kept for the original API ({@link ReplicateApp.setFail}).
   */
  fail?: FailureInjection | null
  /** Faults in force from the start; see {@link Faults} and {@link ReplicateApp.faults}. Default none. */
  faults?: Faults
  /**
   * Seed of everything random (prediction ids, stream tokens, bursty cadence, split writes): the
   * same seed and the same requests give the same bytes. Default: a fresh random seed, readable
   * as {@link ReplicateApp.seed} so a failing run can be replayed.
   */
  seed?: number
  /**
   * Idle timeout of stream connections in ms: after this long without a write, the stream gets
   * `:408: 408 Request Timeout\n\n` and is closed, as Replicate does after 30 s (§2.5).
   * Default `30000`; any value > 0, so tests can use a few milliseconds.
   */
  idleTimeoutMs?: number
  /**
   * End the stream response right after `done`. Replicate does not; it keeps the connection open
   * until the idle timeout (§2.5). Default `false`.
   */
  closeAfterDone?: boolean
  /**
   * Also send log lines as `logs` stream events. Default `false`: Replicate's docs do not list
   * them and the official Go and Python text streamers fail on them (§2.6). Log lines always
   * accumulate in the prediction's `logs`.
   */
  streamLogs?: boolean
  /**
   * Path where the library's route handler (`createPredictionHandler`) is mounted, forwarding to
   * this server's own `/v1`. Default `'/api/predictions'`; `null` mounts nothing.
   */
  predictionsEndpoint?: string | null
  /**
   * Origin of the prediction's `urls.stream`, e.g. `'http://127.0.0.1:5175'`, or a function of the
   * API origin a request used. {@link startReplicateServer} sets it to its own stream listener, a
   * distinct origin as on Replicate (`stream.replicate.com`). Default for {@link createReplicateApp}:
   * the request's own origin, because an app mounted into a dev server owns one port only.
   */
  streamOrigin?: string | ((apiOrigin: string) => string)
  /**
   * Send CORS headers on `/v1` and answer its preflights. Default `false`, as on Replicate, whose
   * API browsers cannot call (§1): keep it off unless a demo really needs it.
   */
  apiCors?: boolean
  /**
   * Deployments served on `POST /v1/deployments/{owner}/{name}/predictions`, as deployment
   * `owner/name` → served model `owner/name`. Default: every served model is also a deployment of
   * the same name.
   */
  deployments?: Readonly<Record<string, string>>
  /**
   * Smallest `Cancel-After` accepted, in ms. Default `5000`, Replicate's documented minimum; lower
   * it in tests that need a deadline to pass quickly.
   */
  minCancelAfterMs?: number
  /**
   * Clock in ms, used for timestamps, `metrics` and event ids. Default `Date.now`. A fixed clock
   * together with `seed` makes the stream bytes fully reproducible.
   */
  now?: () => number
}

/** {@link ReplicateServerOptions} with every default applied. */
export interface ResolvedOptions {
  token: string
  cadence: ResolvedCadence
  faults: Faults
  seed: number
  idleTimeoutMs: number
  closeAfterDone: boolean
  streamLogs: boolean
  predictionsEndpoint: string | null
  streamOrigin: ((apiOrigin: string) => string) | undefined
  apiCors: boolean
  deployments: Readonly<Record<string, string>>
  minCancelAfterMs: number
  now: () => number
}

function isDelay(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

/**
 * Checks a failure injection.
 *
 * @throws InvalidOptionsError when `fail` is not `null`/`undefined` or `{ afterOutputs: integer ≥ 0, detail?: string }`.
 */
export function resolveFail(fail: ReplicateServerOptions['fail']): FailureInjection | null {
  if (fail === null || fail === undefined) return null
  if (typeof fail !== 'object' || !Number.isInteger(fail.afterOutputs) || fail.afterOutputs < 0) {
    throw new InvalidOptionsError('fail.afterOutputs must be an integer ≥ 0')
  }
  if (fail.detail !== undefined && typeof fail.detail !== 'string') {
    throw new InvalidOptionsError('fail.detail must be a string')
  }
  return {
    afterOutputs: fail.afterOutputs,
    ...(fail.detail === undefined ? {} : { detail: fail.detail }),
  }
}

function resolveStreamOrigin(
  value: ReplicateServerOptions['streamOrigin'],
): ResolvedOptions['streamOrigin'] {
  if (value === undefined || typeof value === 'function') return value
  let origin: string | undefined
  try {
    origin = new URL(value).origin
  } catch {
    origin = undefined
  }
  if (origin === undefined || origin === 'null' || origin !== value.replace(/\/$/, '')) {
    throw new InvalidOptionsError('streamOrigin must be an origin like http://127.0.0.1:5175')
  }
  return () => origin
}

function resolveDeployments(value: ReplicateServerOptions['deployments']) {
  if (value === undefined) {
    return Object.fromEntries(SERVED_MODELS.map((model) => [model.name, model.name]))
  }
  for (const [deployment, model] of Object.entries(value)) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(deployment)) {
      throw new InvalidOptionsError(`deployments: "${deployment}" is not an owner/name`)
    }
    if (typeof model !== 'string' || !findModel(model)) {
      throw new InvalidOptionsError(`deployments: "${String(model)}" is not a served model`)
    }
  }
  return { ...value }
}

/**
 * Applies defaults and validates, so mistakes surface when the server is created rather than as
 * odd behaviour mid-stream.
 *
 * @throws InvalidOptionsError for a value of the wrong type, an unknown cadence name or model, or
 *   an invalid fault.
 */
export function resolveOptions(options: ReplicateServerOptions = {}): ResolvedOptions {
  const {
    token = LOCAL_API_TOKEN,
    cadence = 'realistic',
    idleTimeoutMs = 30_000,
    closeAfterDone = false,
    predictionsEndpoint = '/api/predictions',
    seed = randomSeed(),
    minCancelAfterMs = 5000,
    now = Date.now,
  } = options
  if (typeof token !== 'string' || token === '')
    throw new InvalidOptionsError('token must be a non-empty string')
  if (!isDelay(idleTimeoutMs) || idleTimeoutMs === 0) {
    throw new InvalidOptionsError('idleTimeoutMs must be a number > 0')
  }
  if (predictionsEndpoint !== null && !/^\/[^?#]*[^/?#]$/.test(predictionsEndpoint)) {
    throw new InvalidOptionsError(
      'predictionsEndpoint must be a path like /api/predictions, or null',
    )
  }
  if (predictionsEndpoint === '/v1' || predictionsEndpoint?.startsWith('/v1/')) {
    throw new InvalidOptionsError(
      'predictionsEndpoint must not be under /v1, which is the API itself',
    )
  }
  if (!Number.isSafeInteger(seed)) throw new InvalidOptionsError('seed must be an integer')
  if (!isDelay(minCancelAfterMs)) {
    throw new InvalidOptionsError('minCancelAfterMs must be a number ≥ 0')
  }
  if (typeof now !== 'function') throw new InvalidOptionsError('now must be a function')
  const faults: Faults = {
    ...options.faults,
    fail: options.faults?.fail ?? resolveFail(options.fail),
  }
  resolveFaults(faults) // validates now; the app keeps its own live copy
  return {
    token,
    cadence: resolveCadence(cadence),
    faults,
    seed: seed >>> 0,
    idleTimeoutMs,
    closeAfterDone: Boolean(closeAfterDone),
    streamLogs: Boolean(options.streamLogs),
    predictionsEndpoint,
    streamOrigin: resolveStreamOrigin(options.streamOrigin),
    apiCors: Boolean(options.apiCors),
    deployments: resolveDeployments(options.deployments),
    minCancelAfterMs,
    now,
  }
}
