import { ApiError, ConnectionError, ProtocolError } from './errors'
import type { Prediction } from './prediction'
import { parseRetryAfter } from './retry'

/** What every request to the prediction endpoint needs. */
export interface EndpointClient {
  endpoint: string
  fetch: typeof fetch
  headers: () => HeadersInit | undefined
}

/** `POST {endpoint}` with `{ model | version, input }` (the route handler's create). */
export function createPrediction(
  client: EndpointClient,
  body: { model?: string; version?: string; input: Record<string, unknown> },
  signal?: AbortSignal,
): Promise<Prediction> {
  return requestPrediction(client, client.endpoint, { method: 'POST', body, signal })
}

/** `GET {endpoint}/{id}`. */
export function getPrediction(
  client: EndpointClient,
  id: string,
  signal?: AbortSignal,
): Promise<Prediction> {
  return requestPrediction(client, predictionUrl(client, id), { method: 'GET', signal })
}

/** `POST {endpoint}/{id}/cancel`. */
export function cancelPrediction(
  client: EndpointClient,
  id: string,
  signal?: AbortSignal,
): Promise<Prediction> {
  return requestPrediction(client, `${predictionUrl(client, id)}/cancel`, {
    method: 'POST',
    signal,
  })
}

function predictionUrl(client: EndpointClient, id: string): string {
  return `${client.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(id)}`
}

async function requestPrediction(
  client: EndpointClient,
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
