import { InvalidOptionsError } from '../core/errors'
/**
 * Options of the local Replicate-compatible server, their defaults and their validation.
 */
import type { Cadence, FailureInjection } from './prediction-store'

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
   * When outputs are published, in milliseconds.
   * - `'realistic'` (default): first output 500 ms after creation, then one every 40 ms;
   * - `'fast'`: 5 ms, then 1 ms (stories run as tests);
   * - `'instant'`: no delay at all (each step still yields to I/O), for tests;
   * - `{ firstOutputDelayMs, outputIntervalMs }`: explicit, both finite and ≥ 0.
   */
  cadence?: 'realistic' | 'fast' | 'instant' | Cadence
  /**
   * Makes every prediction created from now on fail after `afterOutputs` outputs (clamped to the
   * recording's length): an `error` event `{"detail": detail}`, then `done {"reason": "error"}`,
   * status `failed` (§2.3, §2.4). `detail` defaults to `"Simulated failure after N outputs"`.
   * Default `null` (predictions succeed). Change it later with {@link ReplicateApp.setFail}.
   */
  fail?: FailureInjection | null
  /**
   * Idle timeout of stream connections in ms: after this long without a write, the stream gets
   * `:408: 408 Request Timeout\n\n` and is closed, as Replicate does after 30 s (§2.5).
   * Default `30000`.
   */
  idleTimeoutMs?: number
  /**
   * End the stream response right after `done`. Replicate does not; it keeps the connection open
   * until the idle timeout (§2.5). Default `false`.
   */
  closeAfterDone?: boolean
  /**
   * Path where the library's route handler (`createPredictionHandler`) is mounted, forwarding to
   * this server's own `/v1`. Default `'/api/predictions'`; `null` mounts nothing.
   */
  predictionsEndpoint?: string | null
}

/** {@link ReplicateServerOptions} with every default applied. */
export interface ResolvedOptions {
  token: string
  cadence: Cadence
  fail: FailureInjection | null
  idleTimeoutMs: number
  closeAfterDone: boolean
  predictionsEndpoint: string | null
}

/** The named cadences, in milliseconds. */
export const CADENCES = {
  realistic: { firstOutputDelayMs: 500, outputIntervalMs: 40 },
  fast: { firstOutputDelayMs: 5, outputIntervalMs: 1 },
  instant: { firstOutputDelayMs: 0, outputIntervalMs: 0 },
} as const satisfies Record<string, Cadence>

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

/**
 * Applies defaults and validates, so mistakes surface when the server is created rather than as
 * odd behaviour mid-stream.
 *
 * @throws InvalidOptionsError for a value of the wrong type or an unknown cadence name.
 */
export function resolveOptions(options: ReplicateServerOptions = {}): ResolvedOptions {
  const {
    token = LOCAL_API_TOKEN,
    cadence = 'realistic',
    idleTimeoutMs = 30_000,
    closeAfterDone = false,
    predictionsEndpoint = '/api/predictions',
  } = options
  if (typeof token !== 'string' || token === '')
    throw new InvalidOptionsError('token must be a non-empty string')
  let resolvedCadence: Cadence
  if (typeof cadence === 'string') {
    if (!Object.hasOwn(CADENCES, cadence)) {
      throw new InvalidOptionsError(
        `cadence must be one of ${Object.keys(CADENCES).join(', ')} or an object`,
      )
    }
    resolvedCadence = { ...CADENCES[cadence] }
  } else if (isDelay(cadence?.firstOutputDelayMs) && isDelay(cadence.outputIntervalMs)) {
    resolvedCadence = {
      firstOutputDelayMs: cadence.firstOutputDelayMs,
      outputIntervalMs: cadence.outputIntervalMs,
    }
  } else {
    throw new InvalidOptionsError(
      'cadence.firstOutputDelayMs and cadence.outputIntervalMs must be numbers ≥ 0',
    )
  }
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
  return {
    token,
    cadence: resolvedCadence,
    fail: resolveFail(options.fail),
    idleTimeoutMs,
    closeAfterDone: Boolean(closeAfterDone),
    predictionsEndpoint,
  }
}
