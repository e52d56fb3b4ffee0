/**
 * What one request's route code needs: the resolved options, the signing keys, and the token and
 * secrets this request runs with (read from the environment when not given as options).
 */
import type { PredictionHandlerError } from './handler-error'
import type { MacKeys } from './identity/hmac'
import type { ResolvedHandlerOptions } from './options'
import { callUpstream, type UpstreamReply } from './upstream/upstream'

/** Per-request view of a handler. */
export interface RequestRuntime {
  readonly options: ResolvedHandlerOptions
  readonly keys: MacKeys
  readonly token: string
  /** Non-empty; the first one signs. */
  readonly secrets: readonly string[]
  readonly request: Request
  /** Absolute URL of `{endpoint}/{reference}` for this request's origin. */
  routeUrl(reference: string): string
  /** Calls upstream with this request's token and abort signal; see `callUpstream`. */
  upstream(call: Parameters<typeof callUpstream>[3]): Promise<UpstreamReply>
  /** Gives `error` to `onError`; see {@link reportError}. */
  report(error: PredictionHandlerError): void
}

/** Calls the app's `onError`; a logger that throws must not turn into a failed response. */
export function reportError(
  options: ResolvedHandlerOptions,
  error: PredictionHandlerError,
  request: Request,
): void {
  try {
    options.onError(error, request)
  } catch {
    // Nothing left to tell: the log itself failed.
  }
}

/** Builds the runtime of `request`. */
export function requestRuntime(
  options: ResolvedHandlerOptions,
  keys: MacKeys,
  token: string,
  secrets: readonly string[],
  request: Request,
): RequestRuntime {
  const settings = {
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    timeoutMs: options.upstreamTimeoutMs,
    maxBytes: options.maxUpstreamBytes,
  }
  return {
    options,
    keys,
    token,
    secrets,
    request,
    routeUrl: (reference) => new URL(`${options.endpoint}/${reference}`, request.url).href,
    upstream: (call) => callUpstream(settings, token, request.signal, call),
    report: (error) => reportError(options, error, request),
  }
}
