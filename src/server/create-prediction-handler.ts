import { InvalidOptionsError } from '../core/errors'
import { parseCreateRequest } from './create-request'
import { JSON_TYPE, PROBLEM_TYPE, jsonText, problem } from './problem'

/** A Web-standard route handler: Next.js App Router, Remix, Hono, Bun, Deno, Node adapters. */
export type PredictionHandler = (request: Request) => Promise<Response>

/** Options of {@link createPredictionHandler}. */
export interface PredictionHandlerOptions {
  /** Replicate API token, sent upstream as `Authorization: Bearer <token>`. Required. */
  token: string
  /** Replicate API base URL. Default `'https://api.replicate.com/v1'`; a trailing `/` is fine. */
  baseUrl?: string
  /** Path the handler is mounted at, matched on the request's pathname. Default `'/api/predictions'`. */
  endpoint?: string
  /** `fetch` used for upstream calls. Default `globalThis.fetch`. */
  fetch?: typeof fetch
  /**
   * Models (`owner/name`) and versions (exact `version` strings) the browser may run; anything
   * else gets 403. Default: every model. The route is public and runs models on the token's
   * bill, so production apps should set this.
   */
  allowedModels?: readonly string[]
}

const ID = /^[a-zA-Z0-9_-]+$/

/**
 * Creates the server half of `usePredictionStream`: a `(request) => Promise<Response>` that
 * proxies three calls to Replicate's HTTP API (https://replicate.com/docs/reference/http) so the
 * API token never reaches the browser (Replicate sends no CORS headers anyway).
 *
 * - `POST {endpoint}` `{ model: "owner/name", input }` → `POST /models/{owner}/{name}/predictions`;
 *   `{ version, input }` → `POST /predictions`. Only `input`/`version` are forwarded.
 * - `GET {endpoint}/{id}` → `GET /predictions/{id}`.
 * - `POST {endpoint}/{id}/cancel` → `POST /predictions/{id}/cancel`.
 *
 * Upstream answers (success or Replicate's problem JSON: 401, 402, 404, 422 with
 * `invalid_fields`, 429) keep their status and body, plus `Retry-After`; no other upstream header
 * is forwarded, and the token is replaced by `[redacted]` should upstream ever echo it. The
 * handler's own errors are `application/problem+json` `{ title, detail, status }`: 400 (bad JSON,
 * not exactly one of model/version, non-object input, invalid id), 403 (not in `allowedModels`),
 * 404, 405 (with `Allow`), 413 (body over 1 MiB), 502 (upstream unreachable, or a non-JSON
 * success). A non-JSON upstream *error* (an HTML 429 or 503 from a proxy in front of the API)
 * keeps its status and `Retry-After` with a problem body. Every response has
 * `Cache-Control: no-store`.
 *
 * @example
 * ```ts
 * // app/api/predictions/[[...path]]/route.ts
 * const handler = createPredictionHandler({
 *   token: process.env.REPLICATE_API_TOKEN!,
 *   allowedModels: ['meta/meta-llama-3-8b-instruct'],
 * })
 * export const POST = handler
 * export const GET = handler
 * ```
 * @throws {InvalidOptionsError} synchronously when `token` is missing or empty, or another option
 *   has the wrong type.
 */
export function createPredictionHandler(options: PredictionHandlerOptions): PredictionHandler {
  const { token, baseUrl, endpoint, allowedModels, fetchImpl } = validate(options)

  async function forward(method: string, path: string, body?: unknown): Promise<Response> {
    let upstream: Response
    let text: string
    try {
      upstream = await fetchImpl(baseUrl + path, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        // Next.js App Router caches fetch() unless told not to (replicate-javascript#136).
        cache: 'no-store',
      })
      text = (await upstream.text()).replaceAll(token, '[redacted]')
    } catch {
      // The error may name the upstream host and carry request details: say only what failed.
      return problem(502, 'Bad gateway', 'The prediction API could not be reached.')
    }
    const retryAfter = upstream.headers.get('retry-after')
    const headers: Record<string, string> = {}
    if (retryAfter && /^[\w ,:-]+$/.test(retryAfter) && !retryAfter.includes(token)) {
      headers['Retry-After'] = retryAfter
    }
    try {
      JSON.parse(text)
    } catch {
      const detail = `The prediction API answered HTTP ${upstream.status} with a body that is not JSON.`
      // An error page from something in front of the API (a rate limiter's 429, a load
      // balancer's 503) keeps its status and Retry-After: the browser must still know that
      // waiting helps, and that nothing was created.
      if (upstream.status >= 400) return problem(upstream.status, 'Upstream error', detail, headers)
      return problem(502, 'Bad gateway', detail)
    }
    const type = /problem\+json/i.test(upstream.headers.get('content-type') ?? '')
      ? PROBLEM_TYPE
      : JSON_TYPE
    return jsonText(upstream.status, text, type, headers)
  }

  return async function handlePredictionRequest(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url)
    if (pathname !== endpoint && !pathname.startsWith(endpoint + '/')) return notFound()
    const segments = pathname.slice(endpoint.length).split('/').slice(1)
    if (segments.length === 1 && segments[0] === '') segments.pop() // `{endpoint}/`

    if (segments.length === 0) {
      if (request.method !== 'POST') return notAllowed('POST')
      const call = await parseCreateRequest(request, allowedModels)
      return call instanceof Response ? call : forward('POST', call.path, call.body)
    }
    const [id = '', action] = segments
    if (segments.length > 2 || (action !== undefined && action !== 'cancel')) return notFound()
    const allow = action === 'cancel' ? 'POST' : 'GET'
    if (request.method !== allow) return notAllowed(allow)
    // Ids are spliced into the upstream path: an encoded `/` or `..` must not reach other routes.
    if (!ID.test(id)) return problem(400, 'Invalid prediction id', 'The prediction id is invalid.')
    return action === 'cancel'
      ? forward('POST', `/predictions/${id}/cancel`)
      : forward('GET', `/predictions/${id}`)
  }
}

function validate(options: PredictionHandlerOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('createPredictionHandler: options must be an object.')
  }
  const { token, baseUrl = 'https://api.replicate.com/v1', endpoint = '/api/predictions' } = options
  if (typeof token !== 'string' || token === '') {
    throw new InvalidOptionsError(
      'createPredictionHandler: `token` (the Replicate API token) is required.',
    )
  }
  if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl)) {
    throw new InvalidOptionsError('createPredictionHandler: `baseUrl` must be an absolute URL.')
  }
  if (typeof endpoint !== 'string' || !endpoint.startsWith('/')) {
    throw new InvalidOptionsError(
      'createPredictionHandler: `endpoint` must be a path starting with /.',
    )
  }
  const fetchImpl = options.fetch ?? globalThis.fetch
  if (typeof fetchImpl !== 'function') {
    throw new InvalidOptionsError('createPredictionHandler: `fetch` must be a function.')
  }
  const { allowedModels } = options
  if (
    allowedModels !== undefined &&
    (!Array.isArray(allowedModels) || !allowedModels.every((m) => typeof m === 'string'))
  ) {
    throw new InvalidOptionsError('createPredictionHandler: `allowedModels` must be strings.')
  }
  return {
    token,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    endpoint: endpoint.replace(/\/+$/, ''),
    allowedModels: allowedModels && new Set(allowedModels),
    fetchImpl,
  }
}

function notFound(): Response {
  return problem(404, 'Not found', 'No prediction route matches this path.')
}

function notAllowed(allow: string): Response {
  return problem(405, 'Method not allowed', `This route only accepts ${allow}.`, { Allow: allow })
}
