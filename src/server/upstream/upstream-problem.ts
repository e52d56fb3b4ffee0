/**
 * An upstream error turned into the browser's problem response: upstream's status, `title`,
 * `detail`, `invalid_fields` (422) and `Retry-After` (429, 503) survive, because the browser
 * needs them (docs/design.md rule 5 and rule 8); everything else is dropped. A non-JSON error
 * page from something in front of the API (a proxy's 503) keeps its status with a plain detail.
 */
import { isObject } from '../request/create-request'
import { mentionsToken } from '../environment'
import type { InvalidField } from '../../core/errors'
import { problemResponse } from '../problem'
import type { UpstreamReply } from './upstream'

const MAX_TEXT = 4000
const MAX_FIELDS = 100

/**
 * The problem response for an upstream error `reply` (status ≥ 400). A text that mentions the
 * token (an upstream echoing the `Authorization` header) is replaced by a neutral one.
 */
export function upstreamProblem(reply: UpstreamReply, token: string): Response {
  const { status } = reply
  const body = isObject(reply.body) ? reply.body : {}
  const safe = (value: unknown): value is string =>
    typeof value === 'string' && value.length <= MAX_TEXT && !mentionsToken(value, token)
  const title = safe(body.title) ? body.title : 'Prediction API error'
  const detail = safe(body.detail)
    ? body.detail
    : `The prediction API answered HTTP ${status}${reply.body === undefined ? ' with a body that is not JSON' : ''}.`
  const fields = Array.isArray(body.invalid_fields)
    ? body.invalid_fields
        .slice(0, MAX_FIELDS)
        .filter(
          (f): f is InvalidField =>
            isObject(f) && safe(f.type) && safe(f.field) && safe(f.description),
        )
        .map(({ type, field, description }) => ({ type, field, description }))
    : undefined
  const headers: Record<string, string> = {}
  if (reply.retryAfter) headers['Retry-After'] = reply.retryAfter
  return problemResponse({ status, title, detail, invalid_fields: fields }, headers)
}
