/**
 * Options of the local Replicate-compatible server, their defaults and their validation.
 */
import { InvalidOptionsError } from '../core/errors'
import { resolveFaults, type Faults } from './faults/fault-set'
import { findModel, SERVED_MODELS } from './models/served-models'
import {
  isDelay,
  resolveCadence,
  type CadenceOption,
  type ResolvedCadence,
} from './predictions/cadence'
import { randomSeed } from './predictions/random'

/**
 * The API token the local server accepts by default. It protects nothing: it only exists so that
 * code written for Replicate (which always sends a token) runs unchanged against the local server.
 * It is not a secret and never works against api.replicate.com.
 */
export const LOCAL_API_TOKEN = 'r8_local_development_token'

/**
 * Options of {@link createReplicateApp} and {@link startReplicateServer}. Section numbers refer
 * to `docs/replicate-protocol.md`.
 */
export interface ReplicateServerOptions {
  /**
   * Bearer token required on `/v1` (Replicate: `Authorization: Bearer <token>`, §1). Stream URLs
   * need none: they are capability URLs (§2.2).
   * @defaultValue {@link LOCAL_API_TOKEN}
   */
  token?: string
  /**
   * When outputs are published (see {@link CadenceOption}): `'realistic'` (500 ms, then one every
   * 40 ms), `'fast'`, `'instant'`, `'bursty'`, `{ firstOutputDelayMs, outputIntervalMs }`,
   * `{ tokensPerSecond }` or `{ burstSize: { min, max }, burstIntervalMs }`.
   * @defaultValue `'realistic'`
   */
  cadence?: CadenceOption
  /**
   * Faults in force from the start; see {@link Faults} and `ReplicateApp.faults`.
   * @defaultValue none
   */
  faults?: Faults
  /**
   * Seed of everything random (prediction ids, stream tokens, bursty cadence, split writes): the
   * same seed and the same requests give the same bytes.
   * @defaultValue a fresh random seed, readable as `ReplicateApp.seed` so a failing run can
   *   be replayed
   */
  seed?: number
  /**
   * Idle timeout of stream connections in ms: after this long without a write, the stream gets
   * `:408: 408 Request Timeout\n\n` and is closed, as Replicate does after 30 s (§2.5). Any value
   * > 0, so tests can use a few milliseconds.
   * @defaultValue `30000`
   */
  idleTimeoutMs?: number
  /**
   * End the stream response right after `done`. Replicate does not; it keeps the connection open
   * until the idle timeout (§2.5).
   * @defaultValue `false`
   */
  closeAfterDone?: boolean
  /**
   * Also send log lines as `logs` stream events. Off by default because Replicate's docs do not
   * list them and the official Go and Python text streamers fail on them (§2.6). Log lines always
   * accumulate in the prediction's `logs`.
   * @defaultValue `false`
   */
  streamLogs?: boolean
  /**
   * Path where the library's route handler (`createPredictionHandler`) is mounted, forwarding to
   * this server's own `/v1`; `null` mounts nothing.
   * @defaultValue `'/api/predictions'`
   */
  predictionsEndpoint?: string | null
  /**
   * Origin of the prediction's `urls.stream`, e.g. `'http://127.0.0.1:5175'`, or a function of the
   * API origin a request used. `startReplicateServer` sets it to its own stream listener, a
   * distinct origin as on Replicate (`stream.replicate.com`).
   * @defaultValue for `createReplicateApp`, the request's own origin, because an app mounted
   *   into a dev server owns one port only
   */
  streamOrigin?: string | ((apiOrigin: string) => string)
  /**
   * Send CORS headers on `/v1` and answer its preflights. Off, as on Replicate, whose API browsers
   * cannot call (§1): keep it off unless a demo really needs it.
   * @defaultValue `false`
   */
  apiCors?: boolean
  /**
   * Origins besides the server's own whose pages may call the route handler at
   * `predictionsEndpoint` (CORS): exact `scheme://host[:port]` strings, passed to
   * `createPredictionHandler`'s `allowedOrigins`. The stream host already answers any origin.
   * @defaultValue `[]`
   */
  allowedOrigins?: readonly string[]
  /**
   * Deployments served on `POST /v1/deployments/{owner}/{name}/predictions`, as deployment
   * `owner/name` → served model `owner/name`.
   * @defaultValue every served model is also a deployment of the same name
   */
  deployments?: Readonly<Record<string, string>>
  /**
   * Smallest `Cancel-After` accepted, in ms: Replicate's documented minimum by default; lower it
   * in tests that need a deadline to pass quickly.
   * @defaultValue `5000`
   */
  minCancelAfterMs?: number
  /**
   * Clock in ms, used for timestamps, `metrics` and event ids. A fixed clock together with `seed`
   * makes the stream bytes fully reproducible.
   * @defaultValue `Date.now`
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
  allowedOrigins: readonly string[]
  deployments: Readonly<Record<string, string>>
  minCancelAfterMs: number
  now: () => number
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

function resolveAllowedOrigins(value: ReplicateServerOptions['allowedOrigins']): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new InvalidOptionsError('allowedOrigins must be an array')
  for (const origin of value) {
    if (typeof origin !== 'string' || !URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new InvalidOptionsError(`allowedOrigins: "${String(origin)}" is not an origin`)
    }
  }
  return [...value]
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
  const faults: Faults = options.faults ?? {}
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
    allowedOrigins: resolveAllowedOrigins(options.allowedOrigins),
    deployments: resolveDeployments(options.deployments),
    minCancelAfterMs,
    now,
  }
}
