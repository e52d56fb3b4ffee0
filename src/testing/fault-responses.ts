/**
 * The HTTP error answers of injected faults: Replicate's recorded bodies where they exist
 * (`replicate-protocol.md` §1.3), plain problem+json bodies of our own where they do not.
 */
import type { ServerResponse } from 'node:http'
import type { CreateFault } from './faults'
import type { Problem } from './http-responses'

/** Replicate's 402 body, verbatim (§1.3). */
export const INSUFFICIENT_CREDIT: Problem = {
  title: 'Insufficient credit',
  detail:
    'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit. Once you purchase credit, please wait a few minutes before trying again.',
  status: 402,
}

/** The 422 of a missing prompt, in the observed key order (§1.3). */
const PROMPT_REQUIRED: Problem = {
  detail: '- input: prompt is required\n',
  status: 422,
  title: 'Input validation failed',
  invalid_fields: [{ type: 'required', field: 'input', description: 'prompt is required' }],
}

/** Reason phrases for the default bodies of statuses Replicate's bodies are not recorded for. */
const TITLES: Readonly<Record<number, string>> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/**
 * The default body of a create fault. 429 uses Django REST Framework's throttle wording, which is
 * what Replicate's docs show (`Request was throttled. Expected available in 1 second.`).
 */
function defaultCreateBody(status: number, retryAfterSeconds: number | undefined): unknown {
  if (status === 402) return INSUFFICIENT_CREDIT
  if (status === 422) return PROMPT_REQUIRED
  if (status === 429) {
    const wait = retryAfterSeconds ?? 1
    return {
      detail: `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.`,
    }
  }
  return {
    ...(TITLES[status] ? { title: TITLES[status] } : {}),
    detail: `Simulated ${status} from the local Replicate server`,
    status,
  }
}

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

/** Answers a create request with `fault` (§1.3; `Retry-After` in whole seconds). */
export function sendCreateFault(res: ServerResponse, fault: CreateFault): void {
  const retryAfter = fault.retryAfterSeconds ?? (fault.status === 429 ? 1 : undefined)
  sendFaultBody(
    res,
    fault.status,
    fault.body ?? defaultCreateBody(fault.status, retryAfter),
    '',
    retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) },
    fault.contentType,
  )
}
