/**
 * The `/v1` HTTP API of the local server: create, get, list and cancel predictions with the shapes,
 * status codes and error bodies of Replicate's API (`replicate-protocol.md` §1.1–1.3, §4 item 1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FailureInjection, PredictionStore } from './prediction-store'
import {
  BodyTooLargeError,
  NOT_FOUND,
  readBody,
  sendJson,
  sendMethodNotAllowed,
  sendProblem,
  type Problem,
} from './http-responses'
import {
  recordingsOfModel,
  recordingsOfVersion,
  selectRecording,
  type Recording,
} from './recordings'

/** What the API routes need from the app. */
export interface ApiContext {
  readonly store: PredictionStore
  /** The bearer token `/v1` requires. */
  readonly token: string
  /** The failure injection for predictions created now. */
  readonly fail: () => FailureInjection | null
}

/** One entry of a 422 `invalid_fields` list (gojsonschema's error types, as Replicate sends). */
export interface InvalidField {
  type: string
  field: string
  description: string
}

const UNAUTHENTICATED: Problem = {
  title: 'Unauthenticated',
  detail: 'You did not pass a valid authentication token',
  status: 401,
}

const INVALID_VERSION: Problem = {
  title: 'Invalid version or not permitted',
  detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
  status: 422,
}

const WEBHOOK_EVENTS = ['start', 'output', 'logs', 'completed']

/**
 * Accepts `Bearer <token>` and, like Replicate, the legacy `Token <token>` scheme that older
 * clients still send.
 */
function isAuthorized(req: IncomingMessage, token: string): boolean {
  const match = /^(?:Bearer|Token)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
  return match?.[1] === token
}

/** Decodes a path segment; a malformed escape stays as written and so matches nothing. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** JSON Schema's name for the type of `value`, as gojsonschema reports it. */
function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return jsonType(value) === 'object'
}

/**
 * Validates a create body against Replicate's request schemas (`additionalProperties: false`,
 * `required`, property types), collecting every violation like gojsonschema does.
 */
function validateCreateBody(
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
function inputValidationFailed(invalid: readonly InvalidField[]): Problem {
  return {
    detail: invalid.map((f) => `- ${f.field ? `${f.field}: ` : ''}${f.description}\n`).join(''),
    status: 422,
    title: 'Input validation failed',
    invalid_fields: invalid,
  }
}

type ParsedBody = { ok: true; body: Record<string, unknown> } | { ok: false; problem: Problem }

/** Reads and parses a JSON object body; an empty body counts as `{}`, as in Django REST Framework. */
async function parseJsonObject(req: IncomingMessage): Promise<ParsedBody> {
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

/**
 * Handles one request under `/v1` (except `/v1/streams/…`, which needs no token).
 *
 * @param path - the pathname, e.g. `/v1/predictions/abc/cancel`.
 * @param origin - `http://{Host}` of the request; the prediction's `urls` are built from it so
 *   they work on an ephemeral port and behind a dev server alike.
 */
export async function handleApiRequest(
  context: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  origin: string,
): Promise<void> {
  // Replicate authenticates before routing: any /v1 request without a valid token is a 401.
  if (!isAuthorized(req, context.token)) {
    sendProblem(res, UNAUTHENTICATED)
    return
  }
  const segments = path.replace(/\/+$/, '').split('/').slice(2).map(decodeSegment)
  const method = req.method ?? 'GET'
  const [first, second, third, fourth, ...rest] = segments

  if (first === 'predictions' && second === undefined) {
    if (method === 'POST') return createPrediction(context, req, res, origin, undefined)
    if (method === 'GET') {
      // Newest first, one page: the local server never holds more than a handful.
      const results = context.store.list().reverse()
      return sendJson(res, 200, { next: null, previous: null, results })
    }
    return sendMethodNotAllowed(req, res, 'GET, POST')
  }
  if (first === 'predictions' && second !== undefined && third === undefined) {
    if (method !== 'GET') return sendMethodNotAllowed(req, res, 'GET')
    const prediction = context.store.get(second)
    return prediction ? sendJson(res, 200, prediction) : sendProblem(res, NOT_FOUND)
  }
  if (first === 'predictions' && second !== undefined && third === 'cancel' && !fourth) {
    if (method !== 'POST') return sendMethodNotAllowed(req, res, 'POST')
    const prediction = context.store.cancel(second)
    return prediction ? sendJson(res, 200, prediction) : sendProblem(res, NOT_FOUND)
  }
  if (first === 'models' && second && third && fourth === 'predictions' && rest.length === 0) {
    if (method !== 'POST') return sendMethodNotAllowed(req, res, 'POST')
    return createPrediction(context, req, res, origin, `${second}/${third}`)
  }
  sendProblem(res, NOT_FOUND)
}

/**
 * `POST /v1/predictions` (`model` undefined: the body names a `version`) or
 * `POST /v1/models/{owner}/{name}/predictions`. Answers 201 with the new prediction in `starting`.
 */
async function createPrediction(
  context: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  model: string | undefined,
): Promise<void> {
  let recordings: readonly Recording[] = []
  if (model !== undefined) {
    recordings = recordingsOfModel(model)
    if (recordings.length === 0) return sendProblem(res, NOT_FOUND)
  }
  const parsed = await parseJsonObject(req)
  if (!parsed.ok) return sendProblem(res, parsed.problem)
  const { body } = parsed
  const invalid = validateCreateBody(body, model === undefined ? ['version', 'input'] : ['input'])
  if (invalid.length > 0) return sendProblem(res, inputValidationFailed(invalid))
  if (model === undefined) {
    recordings = recordingsOfVersion(body.version as string)
    if (recordings.length === 0) return sendProblem(res, INVALID_VERSION)
  }
  const input = body.input as Record<string, unknown>
  const prediction = context.store.create({
    recording: selectRecording(recordings, input),
    input,
    fail: context.fail(),
    urls: (id, streamToken) => ({
      get: `${origin}/v1/predictions/${id}`,
      cancel: `${origin}/v1/predictions/${id}/cancel`,
      web: `https://replicate.com/p/${id}`,
      stream: `${origin}/v1/streams/${streamToken}`,
    }),
    // Webhooks are accepted and echoed like Replicate does, but this server never calls them.
    echo: {
      ...(typeof body.webhook === 'string' ? { webhook: body.webhook } : {}),
      ...(Array.isArray(body.webhook_events_filter)
        ? { webhook_events_filter: body.webhook_events_filter as string[] }
        : {}),
    },
  })
  sendJson(res, 201, prediction)
}
