/**
 * `GET {endpoint}/{reference}` and `POST {endpoint}/{reference}/cancel`: only a reference this
 * handler signed for the same caller, not expired, reaches upstream. Anything else is the same
 * 404, whether the reference is malformed, foreign, tampered with or expired, so a caller learns
 * nothing about other callers' predictions (OWASP API1:2023, broken object level authorization,
 * https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/).
 */
import { ended } from '../limits/limits'
import { problem } from '../problem'
import { verifyReference } from '../identity/reference'
import { predictionResponse, readPrediction } from '../upstream/respond-prediction'
import type { RequestRuntime } from '../runtime'
import { upstreamError } from '../upstream/upstream-error'

/** Reads (`cancel: false`) or cancels the prediction `reference` names, for `subject`. */
export async function predictionRoute(
  runtime: RequestRuntime,
  subject: string | undefined,
  reference: string,
  cancel: boolean,
): Promise<Response> {
  const { options, keys, secrets } = runtime
  const id =
    subject === undefined
      ? undefined
      : await verifyReference(keys, secrets, subject, reference, options.now())
  if (id === undefined) {
    return problem(404, 'Not found', 'No prediction with this id belongs to the caller.')
  }
  const reply = await runtime.upstream(
    cancel
      ? { method: 'POST', path: `/predictions/${id}/cancel` }
      : { method: 'GET', path: `/predictions/${id}` },
  )
  if (reply.status >= 400 || reply.status < 200) return upstreamError(runtime, reply)
  const prediction = readPrediction(reply, id)
  if (prediction.terminal) {
    try {
      await ended(options.limits, subject!, id)
    } catch {
      // The slot expires on its own; the caller's answer does not depend on it.
    }
  }
  return predictionResponse(runtime, 200, prediction, reference)
}
