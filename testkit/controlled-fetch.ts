/**
 * A `fetch` that answers from a script instead of the network: the only place where bytes must
 * arrive at exact chunk boundaries (a character split across chunks, a cut inside an event),
 * which a real socket cannot promise.
 */
export interface ScriptedResponse {
  status?: number
  headers?: Record<string, string>
  /** The body, delivered as these chunks in order. */
  chunks?: (string | Uint8Array)[]
  /** Error the body with this after the chunks instead of ending normally. */
  errorAfterChunks?: Error
}

export interface RecordedRequest {
  url: string
  headers: Headers
  method: string
}

export function splitBytes(input: string | Uint8Array, size: number): Uint8Array[] {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  const chunks: Uint8Array[] = []
  for (let offset = 0; offset < bytes.length; offset += size) {
    chunks.push(bytes.slice(offset, offset + size))
  }
  return chunks
}

/** Answers each request with the next scripted response; records what was requested. */
export function scriptedFetch(responses: ScriptedResponse[]) {
  const requests: RecordedRequest[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    requests.push({ url, headers: new Headers(init?.headers), method: init?.method ?? 'GET' })
    if (init?.signal?.aborted) throw new DOMException('The operation was aborted.', 'AbortError')
    const scripted = responses.shift()
    if (!scripted) throw new TypeError('fetch failed: no scripted response left')
    const encoder = new TextEncoder()
    const chunks = (scripted.chunks ?? []).map((chunk) =>
      typeof chunk === 'string' ? encoder.encode(chunk) : chunk,
    )
    const body =
      scripted.status === 204
        ? null
        : new ReadableStream<Uint8Array>({
            // One chunk per pull, so every chunk is read before the body ends or errors.
            pull(controller) {
              const chunk = chunks.shift()
              if (chunk) controller.enqueue(chunk)
              else if (scripted.errorAfterChunks) controller.error(scripted.errorAfterChunks)
              else controller.close()
            },
          })
    return new Response(body, {
      status: scripted.status ?? 200,
      headers: scripted.headers ?? { 'Content-Type': 'text/event-stream; charset=utf-8' },
    })
  }
  return { fetch: fetch as typeof globalThis.fetch, requests }
}
