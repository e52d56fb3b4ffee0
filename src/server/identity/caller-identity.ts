/**
 * Who is calling: the app's `authorize`, or the default anonymous browser session.
 */
import { newSession, readSession } from './anonymous-session'
import { PredictionHandlerError } from '../handler-error'
import { noStore } from '../problem'
import type { RequestRuntime } from '../runtime'

/** The caller of one request. */
export interface Caller {
  /** `undefined` for a GET/cancel without a session: it owns nothing. */
  subject: string | undefined
  /** `Set-Cookie` value starting a new anonymous session, for the create response. */
  setCookie?: string
}

/**
 * The caller, or the app's own response (a 401) from `authorize`.
 *
 * @param creating - Only a create starts an anonymous session; a GET or cancel without one
 *   cannot own the prediction it names.
 * @throws PredictionHandlerError `internal` when `authorize` resolves something else.
 */
export async function identifyCaller(
  runtime: RequestRuntime,
  creating: boolean,
): Promise<Caller | Response> {
  const { authorize, endpoint } = runtime.options
  const { request, keys, secrets } = runtime
  if (authorize) {
    const result = await authorize(request)
    if (result instanceof Response) return noStore(result)
    if (typeof result !== 'string' || result === '') {
      throw new PredictionHandlerError(
        'internal',
        500,
        '`authorize` must resolve a non-empty subject string or a Response.',
      )
    }
    return { subject: result }
  }
  const subject = await readSession(request, keys, secrets)
  if (subject !== undefined || !creating) return { subject }
  return newSession(request, keys, secrets[0]!, endpoint || '/')
}
