/**
 * The sentences errors show to people (their `message`): short, with no URL, status code or
 * server wording in them, and saying what the person can do. One place, so an app that wants
 * other words (or another language) finds them all here; the developer's side stays in each
 * error's `developerMessage` and fields (src/core/errors.ts).
 */

/** What a 422's `invalid_fields` entry says (the `InvalidField` of src/core/errors.ts). */
interface FieldProblem {
  field: string
  description: string
}

/** A connection, the endpoint or the model could not be reached (network, 408, 5xx). */
export const UNREACHABLE = 'The model could not be reached. Try again.'

/** The prediction failed (`event: error`, or `status: "failed"`). */
export const FAILED_MESSAGE = 'The model stopped with an error. Try again.'

/** The server answered something the protocol does not allow. */
export const PROTOCOL_MESSAGE = 'The answer from the server could not be read. Try again.'

/** The end-user sentence for an HTTP error status: what happened and what the person can do. */
export function apiMessage(status: number, invalidFields: readonly FieldProblem[]): string {
  if (status === 422) {
    const reasons = invalidFields.map(describeField).filter((reason) => reason !== '')
    return reasons.length > 0
      ? `This prompt was rejected: ${reasons.join('; ')}.`
      : 'This prompt was rejected.'
  }
  if (status === 401) return 'Sign in to continue.'
  if (status === 403) return 'You are not allowed to do this.'
  if (status === 404) return 'This model or prediction was not found.'
  if (status === 413) return 'This prompt is too long.'
  if (status === 429) return 'Too many requests. Wait a moment and try again.'
  if (status === 402) return 'The model is not available right now. Try again later.'
  if (status === 408 || status >= 500) return UNREACHABLE
  return 'This request was refused.'
}

/**
 * `prompt is required` as it is; a description that does not name its field gets the name:
 * `top_p must be less than or equal to 1`, `seed: Invalid type. Expected: integer`.
 */
function describeField(field: FieldProblem): string {
  const description = String(field.description ?? '')
    .trim()
    .replace(/\.$/, '')
  const name = String(field.field ?? '').replace(/^input\.?/, '')
  if (name === '' || description.includes(name)) return description
  if (/^must\b/i.test(description)) return `${name} m${description.slice(1)}`
  return `${name}: ${description}`
}
