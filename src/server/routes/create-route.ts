/**
 * `POST {endpoint}`: body, model check, limits, `prepareInput`, then the upstream create, in
 * that order, so nothing the caller may not do reaches upstream or costs the app anything.
 */
import { notAllowed } from '../request/allowed-models'
import { parseCreateBody, upstreamCreate, isObject } from '../request/create-request'
import { PredictionHandlerError } from '../handler-error'
import { valueTooDeep } from '../request/json-depth'
import { admit, settle, type Reservation } from '../limits/limits'
import { noStore } from '../problem'
import { signReference } from '../identity/reference'
import { readJsonBody, type HandedBody } from '../request/request-body'
import { predictionResponse, readPrediction } from '../upstream/respond-prediction'
import type { RequestRuntime } from '../runtime'
import { isTerminal } from '../upstream/browser-prediction'
import { upstreamError } from '../upstream/upstream-error'

/** Creates a prediction for `subject`; see the module comment. */
export async function createRoute(
  runtime: RequestRuntime,
  subject: string,
  handed: { body?: HandedBody } | undefined,
): Promise<Response> {
  const { options, request } = runtime
  const read = await readJsonBody(request, handed, options.maxBodyBytes)
  if (read instanceof Response) return read
  const parsed = parseCreateBody(read.value)
  if (parsed instanceof Response) return parsed
  if (!options.isAllowed(parsed.target)) return notAllowed(parsed.target)

  const admitted = await admitOrFail(runtime, subject)
  if (admitted instanceof Response) return admitted
  let created: { id: string; terminal: boolean } | undefined
  try {
    let { input } = parsed
    if (options.prepareInput) {
      const prepared = await options.prepareInput({
        input,
        model: parsed.target.name,
        kind: parsed.target.kind,
        subject,
        request,
      })
      if (prepared instanceof Response) return noStore(prepared)
      if (!isObject(prepared) || valueTooDeep(prepared)) {
        throw new PredictionHandlerError(
          'internal',
          500,
          '`prepareInput` must return an input object (plain JSON data) or a Response.',
        )
      }
      input = prepared
    }
    const { path, body } = upstreamCreate(parsed.target, input)
    const { maxRunTimeMs } = options
    const reply = await runtime.upstream({
      method: 'POST',
      path,
      body,
      // Replicate's duration syntax: whole seconds with a unit (docs/replicate-protocol.md §1.1).
      headers: maxRunTimeMs ? { 'Cancel-After': `${Math.ceil(maxRunTimeMs / 1000)}s` } : {},
    })
    if (reply.status >= 400 || reply.status < 200) return upstreamError(runtime, reply)
    const prediction = readPrediction(reply)
    created = prediction
    const reference = await signReference(
      runtime.keys,
      runtime.secrets[0]!,
      subject,
      prediction.id,
      options.now() + options.referenceTtlMs,
    )
    return predictionResponse(runtime, reply.status, prediction, reference)
  } finally {
    await settleOrReport(runtime, admitted, created)
  }
}

async function admitOrFail(
  runtime: RequestRuntime,
  subject: string,
): Promise<Reservation | null | Response> {
  const { limits } = runtime.options
  if (!limits.rate && limits.maxConcurrent === undefined) return null
  const ended = async (id: string): Promise<boolean> => {
    try {
      const reply = await runtime.upstream({ method: 'GET', path: `/predictions/${id}` })
      if (reply.status === 404) return true
      return reply.status < 300 && isObject(reply.body) && isTerminal(reply.body.status)
    } catch {
      return false // cannot tell: keep counting it
    }
  }
  try {
    return await admit(limits, subject, ended)
  } catch (error) {
    // Fail closed: with the store down, unlimited creates would be the worse outcome.
    throw new PredictionHandlerError(
      'limit_store_failed',
      503,
      'The limit store failed; the create was refused.',
      { cause: error },
    )
  }
}

async function settleOrReport(
  runtime: RequestRuntime,
  reservation: Reservation | null,
  created: { id: string; terminal: boolean } | undefined,
): Promise<void> {
  try {
    await settle(runtime.options.limits, reservation, created?.id, created?.terminal ?? false)
  } catch (error) {
    // The create itself went through; the slot expires on its own.
    runtime.report(
      new PredictionHandlerError(
        'limit_store_failed',
        503,
        'The limit store failed to record a create; its slot will expire on its own.',
        { cause: error },
      ),
    )
  }
}
