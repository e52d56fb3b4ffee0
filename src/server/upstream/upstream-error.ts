/**
 * An upstream error reply passed to the caller, and to `onError` when it is the app's problem
 * rather than the caller's: 401 (the token is wrong), 402 (the account is out of credit), 403.
 */
import { PredictionHandlerError } from '../handler-error'
import type { RequestRuntime } from '../runtime'
import type { UpstreamReply } from './upstream'
import { upstreamProblem } from './upstream-problem'

/** The caller's problem response for an upstream error (or an unexpected 1xx/3xx as 502). */
export function upstreamError(runtime: RequestRuntime, reply: UpstreamReply): Response {
  if (reply.status < 400) {
    throw new PredictionHandlerError(
      'upstream_invalid',
      502,
      `The prediction API answered HTTP ${reply.status}, which this server cannot use.`,
    )
  }
  if (reply.status === 401 || reply.status === 402 || reply.status === 403) {
    runtime.report(
      new PredictionHandlerError(
        'upstream_refused',
        reply.status,
        `The prediction API refused the request with HTTP ${reply.status}: check the API token and the account's billing.`,
      ),
    )
  }
  return upstreamProblem(reply, runtime.token)
}
