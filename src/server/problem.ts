import type { InvalidField } from '../core/errors'

/**
 * Response builders shared by the route handler. Every response it sends goes through here, so
 * `Cache-Control: no-store` cannot be forgotten on one path: predictions are per-user and
 * change every second, and a CDN or framework cache must never serve one to someone else.
 */

/** Media type of the prediction JSON the handler answers with. */
export const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * Media type of problem details (RFC 9457, https://www.rfc-editor.org/rfc/rfc9457), as Replicate
 * sends its errors (docs/replicate-protocol.md §1.3).
 */
export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8'

/** The members of a problem body the handler sends. */
export interface ProblemFields {
  status: number
  title: string
  detail: string
  /** Replicate's input validation errors, on 422 only. */
  invalid_fields?: readonly InvalidField[]
}

/**
 * A problem response `{ title, detail, status }`, the same shape as Replicate's own errors, so
 * the browser parses the handler's errors and Replicate's with one code path.
 */
export function problem(
  status: number,
  title: string,
  detail: string,
  headers?: HeadersInit,
): Response {
  return problemResponse({ status, title, detail }, headers)
}

/** A problem response from its fields; see {@link problem}. */
export function problemResponse(fields: ProblemFields, headers?: HeadersInit): Response {
  const body: ProblemFields = { title: fields.title, detail: fields.detail, status: fields.status }
  if (fields.invalid_fields) body.invalid_fields = fields.invalid_fields
  return respond(fields.status, JSON.stringify(body), PROBLEM_TYPE, headers)
}

/** A JSON response built by the handler (never upstream text passed through). */
export function json(status: number, value: unknown, headers?: HeadersInit): Response {
  return respond(status, JSON.stringify(value), JSON_TYPE, headers)
}

/**
 * Refuses input in Replicate's own 422 shape (`title: "Input validation failed"`, `detail` with
 * one `- field: description` line per entry, `invalid_fields`), so `prepareInput` refusals reach
 * the browser exactly like Replicate's schema errors (docs/replicate-protocol.md §1.3).
 *
 * @example
 * ```ts
 * prepareInput: ({ input }) =>
 *   typeof input.prompt === 'string' && input.prompt.length <= 4000
 *     ? input
 *     : inputProblem([{ type: 'max_length', field: 'input.prompt', description: 'At most 4000 characters' }]),
 * ```
 */
export function inputProblem(invalidFields: readonly InvalidField[]): Response {
  const detail = invalidFields.map((f) => `- ${f.field}: ${f.description}\n`).join('')
  return problemResponse({
    status: 422,
    title: 'Input validation failed',
    detail: detail || 'The input is invalid.',
    invalid_fields: invalidFields,
  })
}

/** Adds `Cache-Control: no-store` to an app-built response (from `authorize`, `prepareInput`). */
export function noStore(response: Response): Response {
  const headers = new Headers(response.headers)
  headers.set('Cache-Control', 'no-store')
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  })
}

function respond(status: number, body: string, type: string, headers?: HeadersInit): Response {
  const all = new Headers(headers)
  all.set('Content-Type', type)
  all.set('Cache-Control', 'no-store')
  return new Response(body, { status, headers: all })
}
