/**
 * The three create endpoints of `docs/replicate-protocol.md` §1.1: `POST /v1/predictions` (by
 * version), `POST /v1/models/{owner}/{name}/predictions` and
 * `POST /v1/deployments/{owner}/{name}/predictions`, with `Prefer: wait` and `Cancel-After`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Prediction } from '../../core/prediction'
import { sendCreateFault } from '../faults/create-fault'
import { predictionPageUrl } from '../http/prediction-page'
import { NOT_FOUND, sendJson, sendProblem } from '../http/responses'
import { validateInput } from '../models/input-validation'
import { findModel, findVersion, runModel, type ServedModel } from '../models/served-models'
import type { PredictionStore } from '../predictions/prediction-store'
import type { ApiContext, CreateEndpointTarget } from './api-context'
import {
  INVALID_VERSION,
  inputValidationFailed,
  parseJsonObject,
  validateCreateBody,
} from './create-body'
import { parseCancelAfter, parsePreferWait } from './create-headers'

/** Holds the response until the prediction settles, `seconds` pass, or the client leaves. */
function waitForSettled(
  store: PredictionStore,
  res: ServerResponse,
  id: string,
  seconds: number,
): Promise<void> {
  return new Promise((resolve) => {
    const cleanups: (() => void)[] = []
    const done = (): void => {
      for (const cleanup of cleanups.splice(0)) cleanup()
      resolve()
    }
    const timer = setTimeout(done, seconds * 1000)
    cleanups.push(() => clearTimeout(timer))
    res.on('close', done)
    cleanups.push(() => res.off('close', done))
    // May call `done` at once (already settled); its later cleanup is then a no-op.
    const off = store.onSettled(id, done)
    if (off) cleanups.push(off)
  })
}

/**
 * Handles one create request. Order: injected create fault (like a rate limiter, before anything
 * else), unknown model or deployment (404), body (400/413/422), version (422), `Cancel-After`
 * (400), input schema (422); then 201 with the prediction, held open under `Prefer: wait`.
 */
export async function handleCreatePrediction(
  context: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  target: CreateEndpointTarget,
): Promise<void> {
  const fault = context.faults.takeCreate()
  if (fault) return sendCreateFault(res, fault)

  let model: ServedModel | undefined
  let version: string | undefined
  if (target.via !== 'version') {
    const name = target.via === 'model' ? target.name : context.deployments[target.name]
    model = name === undefined ? undefined : findModel(name)
    if (!model) return sendProblem(res, NOT_FOUND)
  }
  const parsed = await parseJsonObject(req)
  if (!parsed.ok) return sendProblem(res, parsed.problem)
  const { body } = parsed
  const required = target.via === 'version' ? ['version', 'input'] : ['input']
  const invalidBody = validateCreateBody(body, required)
  if (invalidBody.length > 0) return sendProblem(res, inputValidationFailed(invalidBody))
  if (target.via === 'version') {
    const found = findVersion(body.version as string)
    if (!found) return sendProblem(res, INVALID_VERSION)
    ;({ model, version } = found)
  }
  const cancelAfter = parseCancelAfter(req.headers['cancel-after'], context.minCancelAfterMs)
  if (cancelAfter && !cancelAfter.ok) {
    return sendProblem(res, { detail: cancelAfter.detail, status: 400 })
  }
  const input = body.input as Record<string, unknown>
  const invalidInput = validateInput(model!.inputSchema, input)
  if (invalidInput.length > 0) return sendProblem(res, inputValidationFailed(invalidInput))

  const run = runModel(model!, version, input)
  const { fail, cancel, cadence } = context.faults.takePrediction()
  const streamOrigin = context.streamOrigin(origin)
  const created = context.store.create({
    model: model!.name,
    version: run.version,
    kind: model!.kind,
    outputs: run.outputs,
    source: run.source,
    input,
    urls: (id, streamPath) => ({
      get: `${origin}/v1/predictions/${id}`,
      cancel: `${origin}/v1/predictions/${id}/cancel`,
      web: predictionPageUrl(origin, id),
      stream: streamOrigin + streamPath,
    }),
    ...(fail ? { fail } : {}),
    ...(cancel ? { cancelAfterOutputs: cancel.afterOutputs } : {}),
    ...(cadence ? { cadence } : {}),
    ...(cancelAfter?.ok ? { cancelAfterMs: cancelAfter.ms } : {}),
    ...(target.via === 'deployment' ? { deployment: target.name } : {}),
    // Webhooks are accepted and echoed like Replicate does, but this server never calls them.
    echo: {
      ...(typeof body.webhook === 'string' ? { webhook: body.webhook } : {}),
      ...(Array.isArray(body.webhook_events_filter)
        ? { webhook_events_filter: body.webhook_events_filter as string[] }
        : {}),
    },
  })

  let prediction: Prediction = created
  const wait = parsePreferWait(req.headers.prefer)
  if (wait) {
    // Sync mode (§1.1): hold until the model finishes or the wait runs out, then answer with
    // whatever state it is in; a still-running prediction can be fetched from `Location`.
    await waitForSettled(context.store, res, created.id, wait.seconds)
    prediction = context.store.get(created.id) ?? created
    res.setHeader('Preference-Applied', wait.applied)
    res.setHeader('Location', prediction.urls.get)
  }
  if (!res.destroyed) sendJson(res, 201, prediction)
}
