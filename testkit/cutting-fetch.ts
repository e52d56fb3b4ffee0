/**
 * Wraps the real `fetch` and cuts chosen stream responses after a number of bytes, as a dropped
 * connection would: the only part of a real exchange a loopback socket cannot be told to do at
 * an exact byte. Everything else (the server, the bytes before the cut) is real.
 */
export function cuttingFetch(
  cuts: number[],
  options: { base?: typeof globalThis.fetch; beforeStream?: () => Promise<void> } = {},
) {
  const base = options.base ?? globalThis.fetch
  const requests: { url: string; method: string; lastEventId: string | null }[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const headers = new Headers(init?.headers)
    requests.push({ url, method: init?.method ?? 'GET', lastEventId: headers.get('last-event-id') })
    if (url.includes('/v1/streams/')) await options.beforeStream?.()
    const response = await base(input, init)
    const isStream = response.headers.get('content-type')?.startsWith('text/event-stream')
    const cut = isStream ? cuts.shift() : undefined
    if (cut === undefined || !response.body) return response
    const reader = response.body.getReader()
    let remaining = cut
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read()
        if (done) return controller.close()
        if (value.length < remaining) {
          remaining -= value.length
          return controller.enqueue(value)
        }
        if (remaining > 0) controller.enqueue(value.slice(0, remaining))
        await reader.cancel()
        controller.error(new TypeError('terminated: connection cut by the test'))
      },
      cancel: () => reader.cancel(),
    })
    return new Response(body, { status: response.status, headers: response.headers })
  }
  return { fetch: fetch as typeof globalThis.fetch, requests }
}
