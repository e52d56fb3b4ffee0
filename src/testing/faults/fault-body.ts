/**
 * The HTTP error answer every refusing fault writes (a create fault, a stream `status` fault).
 */
import type { ServerResponse } from 'node:http'

/**
 * Writes a fault's error answer: `body` as-is when it is a string, as JSON otherwise, defaulting
 * to `{"detail": defaultDetail, "status": status}`; `application/problem+json` unless
 * `contentType` says otherwise.
 */
export function sendFaultBody(
  res: ServerResponse,
  status: number,
  body: unknown,
  defaultDetail: string,
  headers: Record<string, string> = {},
  contentType = 'application/problem+json',
): void {
  const value = body === undefined ? { detail: defaultDetail, status } : body
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(text)
}
