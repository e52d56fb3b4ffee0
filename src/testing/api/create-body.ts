/**
 * Reading and validating create bodies the way Replicate does (`docs/replicate-protocol.md` §1.1,
 * §1.3): JSON object, the request schema's `required` and `additionalProperties: false`, property
 * types, and the 422 `Input validation failed` body that lists every violation.
 */
import type { IncomingMessage } from 'node:http'
import type { InvalidField } from '../../core/errors'
import type { Problem } from '../http/responses'
import { jsonType } from '../models/input-validation'

/** Replicate's 422 body for an unknown version, verbatim (§1.3). */
export const INVALID_VERSION: Problem = {
  title: 'Invalid version or not permitted',
  detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
  status: 422,
}

const WEBHOOK_EVENTS = ['start', 'output', 'logs', 'completed']

function isObject(value: unknown): value is Record<string, unknown> {
  return jsonType(value) === 'object'
}

/**
 * Validates a create body against Replicate's request schemas (`schemas_prediction_request`,
 * `schemas_version_prediction_request`: `additionalProperties: false`, `required`, property
 * types), collecting every violation like gojsonschema does.
 */
export function validateCreateBody(
  body: Record<string, unknown>,
  required: readonly string[],
): InvalidField[] {
  const types: Record<string, string> = {
    input: 'object',
    stream: 'boolean',
    webhook: 'string',
    webhook_events_filter: 'array',
    ...(required.includes('version') ? { version: 'string' } : {}),
  }
  const invalid: InvalidField[] = []
  for (const key of Object.keys(body)) {
    if (!(key in types)) {
      invalid.push({
        type: 'additional_property_not_allowed',
        field: '',
        description: `Additional property ${key} is not allowed`,
      })
    }
  }
  for (const key of required) {
    if (!(key in body))
      invalid.push({ type: 'required', field: '', description: `${key} is required` })
  }
  for (const [key, expected] of Object.entries(types)) {
    if (!(key in body)) continue
    const given = jsonType(body[key])
    if (given !== expected) {
      invalid.push({
        type: 'invalid_type',
        field: key,
        description: `Invalid type. Expected: ${expected}, given: ${given}`,
      })
    }
  }
  const filter = body.webhook_events_filter
  if (Array.isArray(filter)) {
    filter.forEach((item, index) => {
      if (!WEBHOOK_EVENTS.includes(item as string)) {
        const field = `webhook_events_filter.${index}`
        invalid.push({
          type: 'enum',
          field,
          description: `${field} must be one of the following: ${WEBHOOK_EVENTS.map((e) => `"${e}"`).join(', ')}`,
        })
      }
    })
  }
  return invalid
}

/**
 * The 422 body of a schema violation, keys in the recorded order. The `detail` lists one violation
 * per line like Replicate's (`- input: prompt is required\n`); violations at the root have no field
 * prefix (unverified: no recorded example).
 */
export function inputValidationFailed(invalid: readonly InvalidField[]): Problem {
  return {
    detail: invalid.map((f) => `- ${f.field ? `${f.field}: ` : ''}${f.description}\n`).join(''),
    status: 422,
    title: 'Input validation failed',
    invalid_fields: invalid,
  }
}

/** Thrown by `readBody` when the body is larger than the limit. */
class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError'
}

/**
 * Reads the whole request body as UTF-8 text, up to `limitBytes`.
 *
 * @param limitBytes - Largest body accepted: 1 MiB, since Replicate allows inputs with data URLs
 *   up to 256 KB, so this leaves room.
 *
 * @throws BodyTooLargeError when the body exceeds `limitBytes`.
 */
async function readBody(req: IncomingMessage, limitBytes = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limitBytes) throw new BodyTooLargeError(`Request body exceeds ${limitBytes} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A parsed JSON object body, or the problem to answer with. */
export type ParsedBody =
  { ok: true; body: Record<string, unknown> } | { ok: false; problem: Problem }

/** Reads and parses a JSON object body; an empty body counts as `{}`, as in Django REST Framework. */
export async function parseJsonObject(req: IncomingMessage): Promise<ParsedBody> {
  let text: string
  try {
    text = await readBody(req)
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return { ok: false, problem: { detail: error.message, status: 413 } }
    }
    throw error
  }
  let body: unknown = {}
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return { ok: false, problem: { detail: `JSON parse error - ${message}`, status: 400 } }
    }
  }
  if (!isObject(body)) {
    const given = jsonType(body)
    return {
      ok: false,
      problem: inputValidationFailed([
        {
          type: 'invalid_type',
          field: '',
          description: `Invalid type. Expected: object, given: ${given}`,
        },
      ]),
    }
  }
  return { ok: true, body }
}
