/**
 * The `/v1` HTTP API of the local server: create (models, versions, deployments), get, list and
 * cancel predictions with the shapes, status codes and error bodies of Replicate's API
 * (`docs/replicate-protocol.md` §1.1–1.3, §4 item 1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  NOT_FOUND,
  sendJson,
  sendMethodNotAllowed,
  sendProblem,
  type Problem,
} from '../http/responses'
import type { ApiContext, CreateEndpointTarget } from './api-context'
import { handleCreatePrediction } from './create-prediction-endpoint'
import { listPredictions } from './list-predictions-endpoint'

/** Replicate's 401 body, verbatim (§1.3). */
const UNAUTHENTICATED: Problem = {
  title: 'Unauthenticated',
  detail: 'You did not pass a valid authentication token',
  status: 401,
}

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

/**
 * Opt-in CORS for `/v1` (`apiCors`). Replicate's API sends none (§1), which is why browsers must
 * go through a server route; this exists for quick demos only. Returns `true` when the request
 * was a preflight and has been answered.
 */
function answerCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin
  if (origin === undefined) return false
  res.setHeader('Access-Control-Allow-Origin', origin)
  res.setHeader('Access-Control-Allow-Credentials', 'true')
  res.setHeader('Access-Control-Expose-Headers', 'Preference-Applied, Retry-After, Location')
  res.setHeader('Vary', 'Origin')
  if (req.method !== 'OPTIONS') return false
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Prefer, Cancel-After',
    'Access-Control-Max-Age': '86400',
  })
  res.end()
  return true
}

/**
 * Handles one request under `/v1` (stream paths are served by the stream route).
 *
 * @param url - the request URL (path and query), e.g. `/v1/predictions?cursor=…`.
 * @param origin - `http://{Host}` of the request; the prediction's `urls` and page links are
 *   built from it so they work on an ephemeral port and behind a dev server alike.
 */
export async function handleApiRequest(
  context: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  origin: string,
): Promise<void> {
  if (context.apiCors && answerCors(req, res)) return
  // Replicate authenticates before routing: any /v1 request without a valid token is a 401.
  if (!isAuthorized(req, context.token)) {
    sendProblem(res, UNAUTHENTICATED)
    return
  }
  const segments = url.pathname.replace(/\/+$/, '').split('/').slice(2).map(decodeSegment)
  const method = req.method ?? 'GET'
  const [first, second, third, fourth, ...rest] = segments

  if (first === 'predictions' && second === undefined) {
    if (method === 'POST')
      return handleCreatePrediction(context, req, res, origin, { via: 'version' })
    if (method !== 'GET') return sendMethodNotAllowed(req, res, 'GET, POST')
    const page = listPredictions(context.store, url, origin)
    return 'results' in page ? sendJson(res, 200, page) : sendProblem(res, page)
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
  const isCreate = second && third && fourth === 'predictions' && rest.length === 0
  if ((first === 'models' || first === 'deployments') && isCreate) {
    if (method !== 'POST') return sendMethodNotAllowed(req, res, 'POST')
    const name = `${second}/${third}`
    const target: CreateEndpointTarget =
      first === 'models' ? { via: 'model', name } : { via: 'deployment', name }
    return handleCreatePrediction(context, req, res, origin, target)
  }
  sendProblem(res, NOT_FOUND)
}
