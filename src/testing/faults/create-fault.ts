/**
 * The create fault: answer the create endpoints with an HTTP error instead of creating a
 * prediction. Its declaration, its validation and its answer: Replicate's recorded bodies where
 * they exist (`docs/replicate-protocol.md` §1.3), plain problem+json bodies of our own where they
 * do not.
 */
import type { ServerResponse } from 'node:http'
import type { Problem } from '../http/responses'
import { sendFaultBody } from './fault-body'
import { errorStatus, invalid, object, times, type Counted, type Repeated } from './rules'

/**
 * Answer the create endpoints (models, versions, deployments) with an HTTP error instead of
 * creating a prediction. Checked after authentication, before the body is read, like a rate
 * limiter or a billing check. Default bodies are Replicate's recorded ones (§1.3) for 402, 422 and
 * 429; for 5xx they are problem+json bodies of our own (Replicate's are not recorded).
 */
export interface CreateFault extends Repeated {
  /** HTTP status, 400–599, e.g. 429, 500, 502, 503, 402, 422. */
  status: number
  /**
   * Seconds for `Retry-After`. Replicate does not document the header for 429, but all official
   * clients honour it (§1.3).
   * @defaultValue `1` for 429, no header otherwise
   */
  retryAfterSeconds?: number
  /**
   * Body to send instead of the default: a string as-is, anything else as JSON.
   * @defaultValue Replicate's recorded body for 402, 422 and 429; problem+json for the others
   */
  body?: unknown
  /**
   * `Content-Type` of `body`.
   * @defaultValue `'application/problem+json'`
   */
  contentType?: string
}

/** Validates one create rule and gives it its use count. */
export function resolveCreateFault(rule: CreateFault, name: string): Counted<CreateFault> {
  object(rule, name)
  const retry = rule.retryAfterSeconds
  if (retry !== undefined && !(Number.isInteger(retry) && retry >= 0)) {
    invalid(`${name}.retryAfterSeconds must be an integer ≥ 0`)
  }
  if (rule.contentType !== undefined && typeof rule.contentType !== 'string') {
    invalid(`${name}.contentType must be a string`)
  }
  return { ...rule, times: times(rule, name), status: errorStatus(rule.status, `${name}.status`) }
}

/** Replicate's 402 body, verbatim (§1.3). */
const INSUFFICIENT_CREDIT: Problem = {
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
