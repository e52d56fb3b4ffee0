import { problem } from './problem'

/** Largest create body accepted. Inputs are prompts and URLs, not files; this caps memory. */
export const MAX_BODY_BYTES = 1024 * 1024

/**
 * `owner/name` with each part starting alphanumeric: besides Replicate's naming rules, this
 * keeps `.`/`..` segments and slashes out of the upstream path the model is spliced into.
 */
const MODEL = /^([a-zA-Z0-9][a-zA-Z0-9_.-]*)\/([a-zA-Z0-9][a-zA-Z0-9_.-]*)$/

/** The upstream call a valid create body turns into. */
export interface CreateCall {
  /** Path below the API base URL. */
  path: string
  /** Upstream JSON body: only `input` (and `version`); see {@link parseCreateRequest}. */
  body: Record<string, unknown>
}

/**
 * Reads and validates the browser's `{ model | version, input }` body.
 *
 * Only `input` and `version` are forwarded: `webhook`, `stream` and other fields are dropped,
 * because the browser must not choose where Replicate posts results, nor anything else the
 * server's owner pays for. Returns a problem response (400, 403, 413) instead of throwing.
 */
export async function parseCreateRequest(
  request: Request,
  allowedModels: ReadonlySet<string> | undefined,
): Promise<CreateCall | Response> {
  const text = await readBounded(request)
  if (typeof text !== 'string') return text
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return problem(400, 'Invalid JSON', 'The request body is not valid JSON.')
  }
  if (!isObject(parsed)) {
    return invalid('The request body must be a JSON object { model | version, input }.')
  }
  const { model, version, input } = parsed
  if ((model === undefined) === (version === undefined)) {
    return invalid('Send exactly one of "model" ("owner/name") or "version".')
  }
  if (!isObject(input)) return invalid('"input" must be a JSON object.')

  if (model !== undefined) {
    const match = typeof model === 'string' ? MODEL.exec(model) : null
    if (!match) return invalid('"model" must be a string "owner/name".')
    if (allowedModels && !allowedModels.has(match[0])) return notAllowed('model', match[0])
    const [, owner = '', name = ''] = match
    return { path: `/models/${owner}/${name}/predictions`, body: { input } }
  }
  if (typeof version !== 'string' || version.trim() === '') {
    return invalid('"version" must be a non-empty string.')
  }
  if (allowedModels && !allowedModels.has(version)) return notAllowed('version', version)
  return { path: '/predictions', body: { version, input } }
}

/**
 * The body as text, or 413 past {@link MAX_BODY_BYTES}. Counts bytes while reading because
 * `Content-Length` may be absent (chunked) or wrong; the header only allows an early reject.
 */
async function readBounded(request: Request): Promise<string | Response> {
  if (Number(request.headers.get('content-length')) > MAX_BODY_BYTES) return tooLarge()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return text + decoder.decode()
      size += value.byteLength
      if (size > MAX_BODY_BYTES) {
        void reader.cancel().catch(() => {})
        return tooLarge()
      }
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    return problem(400, 'Invalid request body', 'The request body could not be read.')
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(detail: string): Response {
  return problem(400, 'Invalid request', detail)
}

function notAllowed(kind: string, value: string): Response {
  return problem(403, 'Model not allowed', `This server does not allow the ${kind} "${value}".`)
}

function tooLarge(): Response {
  return problem(413, 'Request body too large', `The request body exceeds ${MAX_BODY_BYTES} bytes.`)
}
