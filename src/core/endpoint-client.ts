import { ApiError, ConnectionError, ProtocolError } from './errors'
import type { Prediction } from './prediction'
import { parseRetryAfter } from './retry'

/** How to reach your prediction endpoint (the route served by `createPredictionHandler`). */
export interface EndpointOptions {
  endpoint: string
  fetch: typeof fetch
  headers: () => HeadersInit | undefined
}

/** What `start()` asks the endpoint to run: exactly one of model, version and deployment. */
export type PredictionTarget = { model: string } | { version: string } | { deployment: string }

/** The body of `POST {endpoint}`. */
export type CreatePredictionBody = PredictionTarget & { input: Record<string, unknown> }

/**
 * The three requests the browser makes to *your* endpoint (never to Replicate, which has no
 * CORS and needs the token): create, read and cancel a prediction.
 */
export interface EndpointClient {
  readonly fetch: typeof fetch
  /** `POST {endpoint}` with `{ model | version | deployment, input }`. */
  create(body: CreatePredictionBody, signal?: AbortSignal): Promise<Prediction>
  /** `GET {endpoint}/{id}`. */
  get(id: string, signal?: AbortSignal): Promise<Prediction>
  /** `POST {endpoint}/{id}/cancel`. */
  cancel(id: string, signal?: AbortSignal): Promise<Prediction>
}

export function createEndpointClient(options: EndpointOptions): EndpointClient {
  const predictionUrl = (id: string) =>
    `${options.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(id)}`
  return {
    fetch: options.fetch,
    create: (body, signal) =>
      requestPrediction(options, options.endpoint, { method: 'POST', body, signal }),
    get: (id, signal) => requestPrediction(options, predictionUrl(id), { method: 'GET', signal }),
    cancel: (id, signal) =>
      requestPrediction(options, `${predictionUrl(id)}/cancel`, { method: 'POST', signal }),
  }
}

async function requestPrediction(
  client: EndpointOptions,
  url: string,
  init: { method: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal | undefined },
): Promise<Prediction> {
  const headers = new Headers(client.headers())
  headers.set('Accept', 'application/json')
  if (init.body !== undefined) headers.set('Content-Type', 'application/json')
  let response: Response
  try {
    response = await client.fetch(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      // Predictions change every moment: a cached GET would freeze the reconcile
      // (replicate-javascript#136, Next.js patched fetch).
      cache: 'no-store',
      signal: init.signal ?? null,
    })
  } catch (cause) {
    if (init.signal?.aborted) throw cause
    throw new ConnectionError(`Could not reach ${url}`, { retryable: true, cause })
  }
  const text = await response.text()
  const body = parseJson(text)
  if (!response.ok) {
    throw new ApiError({
      status: response.status,
      url,
      body: body === undefined ? text : body,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    })
  }
  if (!isPrediction(body)) {
    throw new ProtocolError(`Expected a prediction object from ${url}, got: ${text.slice(0, 200)}`)
  }
  return body
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function isPrediction(value: unknown): value is Prediction {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return (
    typeof record.id === 'string' &&
    typeof record.status === 'string' &&
    typeof record.urls === 'object' &&
    record.urls !== null
  )
}
