/**
 * `createPredictionHandler`: the route between the browser and Replicate. It routes, applies the
 * checks every request gets (method, cross-site, configuration, caller), hands over to the create
 * or prediction route, and turns every server-side failure into a problem response and an
 * `onError` call.
 */
import { identifyCaller } from './identity/caller-identity'
import {
  checkJsonType,
  checkOrigin,
  corsHeaders,
  preflight,
  type CrossOrigin,
} from './request/cross-site'
import { createRoute } from './routes/create-route'
import {
  environmentVariable,
  MIN_SECRET_LENGTH,
  SECRET_VARIABLE,
  TOKEN_VARIABLE,
} from './environment'
import { failureResponse } from './failure-response'
import { PredictionHandlerError } from './handler-error'
import { MacKeys } from './identity/hmac'
import {
  resolveHandlerOptions,
  type PredictionHandlerOptions,
  type ResolvedHandlerOptions,
} from './options'
import { predictionRoute } from './routes/prediction-route'
import { problem } from './problem'
import type { HandedBody } from './request/request-body'
import { reportError, requestRuntime } from './runtime'
import { CallerGoneError } from './upstream/upstream'

/** The optional second argument of a {@link PredictionHandler}. */
export interface PredictionHandlerContext {
  /**
   * The create body when the app's own middleware already read the request stream (an auth
   * wrapper, `express.json()`): its text or bytes, or the parsed JSON value. Frameworks that
   * pass a context of their own (Next.js's `{ params }`) are fine: only `body` is read.
   */
  body?: HandedBody
}

/**
 * A Web-standard route handler, `(request, context?) => Promise<Response>`: Next.js App Router,
 * Remix, Hono, Bun, Deno and Workers call it as it is; Node `http`, Express and Connect through
 * `toNodeListener`. It never rejects: failures are problem responses.
 *
 * `context` is a {@link PredictionHandlerContext} (`{ body }`) or whatever the framework passes;
 * it is typed `unknown` because Next.js checks at build time that a route export accepts its own
 * `{ params }` there.
 */
export type PredictionHandler = (request: Request, context?: unknown) => Promise<Response>

type Route = { kind: 'create' } | { kind: 'get' | 'cancel'; reference: string }

/**
 * Creates the server half of `usePredictionStream`: a route that creates, reads and cancels
 * predictions on Replicate's HTTP API (https://replicate.com/docs/reference/http) with a token
 * the browser never sees (Replicate sends no CORS headers anyway, docs/replicate-protocol.md §1).
 *
 * - `POST {endpoint}` `{ model: "owner/name" | version | deployment: "owner/name", input }` →
 *   `POST /models/{owner}/{name}/predictions`, `POST /predictions` with `version`, or
 *   `POST /deployments/{owner}/{name}/predictions`; `201` with the prediction, whose `id` is a
 *   signed reference bound to the caller.
 * - `GET {endpoint}/{reference}` → `GET /predictions/{id}`; `200`.
 * - `POST {endpoint}/{reference}/cancel` → `POST /predictions/{id}/cancel`; `200`.
 *
 * Every request: `Origin` must be the route's own or in `allowedOrigins` (403); the create must be
 * `application/json` (415); `authorize` names the caller. A create then needs an allowed model
 * (403), a JSON body within `maxBodyBytes` (413) and nesting 64 levels at most (400), passes the
 * rate limit and concurrency cap (429 with `Retry-After`) and `prepareInput` (its 422). A
 * reference that is malformed, foreign, tampered with or expired is 404, with no upstream call.
 * Upstream errors keep their status, `title`, `detail`, `invalid_fields` and `Retry-After`;
 * the handler's own are problem+json (RFC 9457) `{ title, detail, status }`: 404, 405 (with
 * `Allow`), 500 (token or secret missing), 502 (upstream unreachable, oversize or invalid
 * reply), 503 (limit store down), 504 (upstream timeout). Every response has
 * `Cache-Control: no-store`.
 *
 * @example
 * ```ts
 * // app/api/predictions/[[...path]]/route.ts (Next.js App Router)
 * import { createPredictionHandler } from 'react-prediction-stream/server'
 * import { auth } from '@/auth'
 *
 * const handler = createPredictionHandler({
 *   allowedModels: ['meta/meta-llama-3-8b-instruct'],
 *   authorize: async () => (await auth())?.user?.id ?? new Response(null, { status: 401 }),
 * })
 * export { handler as GET, handler as POST }
 * ```
 * @throws {InvalidOptionsError} synchronously when `allowedModels` is missing or an option has
 *   the wrong type or range (see {@link PredictionHandlerOptions}).
 */
export function createPredictionHandler(options: PredictionHandlerOptions): PredictionHandler {
  const resolved = resolveHandlerOptions(options)
  const keys = new MacKeys()

  async function handle(
    request: Request,
    context: unknown,
    route: Route,
    cross: CrossOrigin | undefined,
  ): Promise<Response> {
    if (request.method === 'OPTIONS' && cross) return preflight(request, cross)
    const allow = route.kind === 'get' ? 'GET' : 'POST'
    if (request.method !== allow) {
      return problem(405, 'Method not allowed', `This route only accepts ${allow}.`, {
        Allow: allow,
      })
    }
    if (route.kind !== 'get') {
      const wrongType = checkJsonType(request, route.kind === 'cancel')
      if (wrongType) return wrongType
    }
    const runtime = requestRuntime(resolved, keys, token(resolved), secrets(resolved), request)
    const caller = await identifyCaller(runtime, route.kind === 'create')
    if (caller instanceof Response) return caller
    const response =
      route.kind === 'create'
        ? await createRoute(runtime, caller.subject!, handedBody(context))
        : await predictionRoute(runtime, caller.subject, route.reference, route.kind === 'cancel')
    return caller.setCookie ? withHeaders(response, { 'Set-Cookie': caller.setCookie }) : response
  }

  return async function handlePredictionRequest(request, context) {
    const route = matchRoute(resolved.endpoint, new URL(request.url).pathname)
    if (!route) return problem(404, 'Not found', 'No prediction route matches this path.')
    const cross = checkOrigin(request, resolved.allowedOrigins)
    if (cross instanceof Response) return cross
    try {
      return withCors(await handle(request, context, route, cross), cross)
    } catch (error) {
      if (error instanceof CallerGoneError) {
        return problem(499, 'Client closed request', 'The request was aborted by the caller.')
      }
      const failure =
        error instanceof PredictionHandlerError
          ? error
          : new PredictionHandlerError('internal', 500, 'The prediction handler failed.', {
              cause: error,
            })
      reportError(resolved, failure, request)
      return withCors(failureResponse(failure), cross)
    }
  }
}

/** The `body` of a {@link PredictionHandlerContext}, from whatever the framework passed. */
function handedBody(context: unknown): PredictionHandlerContext | undefined {
  if (typeof context !== 'object' || context === null || !('body' in context)) return undefined
  return { body: (context as PredictionHandlerContext).body }
}

/** `{endpoint}`, `{endpoint}/`, `{endpoint}/{reference}`, `{endpoint}/{reference}/cancel`. */
function matchRoute(endpoint: string, pathname: string): Route | undefined {
  if (pathname !== endpoint && !pathname.startsWith(endpoint + '/')) return undefined
  const segments = pathname.slice(endpoint.length).split('/').slice(1)
  if (segments.length === 1 && segments[0] === '') segments.pop()
  const [reference = '', action] = segments
  if (segments.length === 0) return { kind: 'create' }
  if (reference === '') return undefined
  if (segments.length === 1) return { kind: 'get', reference }
  if (segments.length === 2 && action === 'cancel') return { kind: 'cancel', reference }
  return undefined
}

function token(options: ResolvedHandlerOptions): string {
  const value = options.token ?? environmentVariable(TOKEN_VARIABLE)
  if (value) return value
  throw new PredictionHandlerError(
    'missing_token',
    500,
    `No Replicate API token: pass \`token\` to createPredictionHandler or set ${TOKEN_VARIABLE}.`,
  )
}

function secrets(options: ResolvedHandlerOptions): readonly string[] {
  if (options.secrets) return options.secrets
  const value = environmentVariable(SECRET_VARIABLE)
  if (value && value.length >= MIN_SECRET_LENGTH) return [value]
  throw new PredictionHandlerError(
    'missing_secret',
    500,
    `No usable signing secret: pass \`secret\` to createPredictionHandler or set ${SECRET_VARIABLE} ` +
      `to at least ${MIN_SECRET_LENGTH} random characters (e.g. \`openssl rand -base64 32\`).`,
  )
}

/** Adds CORS headers for a listed origin, unless the response (a preflight) has them. */
function withCors(response: Response, cross: CrossOrigin | undefined): Response {
  if (!cross || response.headers.has('access-control-allow-origin')) return response
  return withHeaders(response, corsHeaders(cross))
}

function withHeaders(response: Response, extra: Record<string, string>): Response {
  const headers = new Headers(response.headers)
  for (const [name, value] of Object.entries(extra)) {
    if (name === 'Set-Cookie' || name === 'Vary') headers.append(name, value)
    else headers.set(name, value)
  }
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  })
}
