/**
 * A successful upstream reply turned into the browser's prediction response, or refused as
 * `upstream_invalid` when it is not a prediction this handler can vouch for.
 */
import { browserPrediction, isTerminal } from './browser-prediction'
import { isObject } from '../request/create-request'
import { mentionsToken } from '../environment'
import { PredictionHandlerError } from '../handler-error'
import { json } from '../problem'
import { isPredictionId } from '../identity/reference'
import type { RequestRuntime } from '../runtime'
import type { UpstreamReply } from './upstream'

/** An upstream prediction checked enough to sign a reference to it. */
export interface UpstreamPrediction {
  body: Record<string, unknown>
  id: string
  terminal: boolean
}

/**
 * Checks that `reply` (a 2xx) is a prediction with a usable id, the expected one when given.
 *
 * @throws PredictionHandlerError `upstream_invalid`.
 */
export function readPrediction(reply: UpstreamReply, expectedId?: string): UpstreamPrediction {
  const { body } = reply
  if (!isObject(body) || !isPredictionId(body.id) || (expectedId && body.id !== expectedId)) {
    throw invalid(`HTTP ${reply.status} without the expected prediction object`)
  }
  return { body, id: body.id, terminal: isTerminal(body.status) }
}

/**
 * The browser's prediction response for `prediction` under `reference`.
 *
 * @throws PredictionHandlerError `upstream_invalid` for an unknown status, or when the built
 *   prediction would contain the API token (refused rather than redacted).
 */
export function predictionResponse(
  runtime: RequestRuntime,
  status: number,
  prediction: UpstreamPrediction,
  reference: string,
  headers?: HeadersInit,
): Response {
  const built = browserPrediction(
    prediction.body,
    reference,
    runtime.routeUrl(reference),
    runtime.options.expose,
  )
  if (!built) throw invalid('a prediction with an unknown status')
  // Short test tokens cannot be told apart from text; a real token (40 characters) can.
  if (runtime.token.length >= 8 && mentionsToken(JSON.stringify(built), runtime.token)) {
    throw invalid('a prediction that contains the API token')
  }
  return json(status, built, headers)
}

function invalid(what: string): PredictionHandlerError {
  return new PredictionHandlerError(
    'upstream_invalid',
    502,
    `The prediction API answered with ${what}; it was not passed on.`,
  )
}
