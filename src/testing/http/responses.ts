/**
 * JSON and problem+json responses with the headers Replicate sends
 * (`docs/replicate-protocol.md` §1.1, §1.3).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Replicate's media type for JSON bodies, as recorded (`charset=UTF-8`, upper case). */
const JSON_TYPE = 'application/json; charset=UTF-8'

/**
 * RFC 7807 body as Replicate sends it: `detail` and `status`, often `title`, sometimes more
 * (`invalid_fields`). Serialized in the caller's key order, so each error can match the order of
 * its recorded body.
 */
export interface Problem {
  detail: string
  status: number
  title?: string
  [extra: string]: unknown
}

/** Writes `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': JSON_TYPE,
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(text)
}

/** Writes `problem` as `application/problem+json` with the HTTP status `problem.status`. */
export function sendProblem(res: ServerResponse, problem: Problem): void {
  const text = JSON.stringify(problem)
  res.writeHead(problem.status, {
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(text)
}

/** Replicate's body for an unknown route, prediction, model or stream. */
export const NOT_FOUND: Problem = {
  detail: 'The requested resource could not be found.',
  status: 404,
}

/** Writes the 405 Django REST Framework answers a wrong method with, plus `Allow`. */
export function sendMethodNotAllowed(
  req: IncomingMessage,
  res: ServerResponse,
  allow: string,
): void {
  res.setHeader('Allow', allow)
  sendProblem(res, { detail: `Method "${req.method ?? ''}" not allowed.`, status: 405 })
}
