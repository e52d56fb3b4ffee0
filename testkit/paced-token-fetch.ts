/**
 * A `fetch` that answers the create request with a prediction and its stream request with a
 * server-sent event stream paced at a fixed token rate: the one thing the benchmark must
 * control exactly (how many tokens arrive per second), at the lowest level. Everything above it
 * (parser, PredictionStream, React) is the real code.
 */
export function pacedTokenFetch(tokens: readonly string[], tokensPerSecond: number) {
  const encoder = new TextEncoder()
  const frame = (event: string, id: number, data: string) =>
    `event: ${event}\nid: 1:${id}\n${data
      .split('\n')
      .map((line) => `data: ${line}`)
      .join('\n')}\n\n`
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input)
    if (init?.method === 'POST') {
      const prediction = {
        id: 'bench',
        model: 'bench/tokens',
        version: 'hidden',
        input: {},
        output: null,
        logs: '',
        error: null,
        status: 'starting',
        created_at: new Date().toISOString(),
        data_removed: false,
        urls: { get: `${url}/bench`, cancel: `${url}/bench/cancel`, stream: `${url}/stream` },
      }
      return Response.json(prediction, { status: 201 })
    }
    const signal = init?.signal
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const started = performance.now()
        let sent = 0
        const channel = new MessageChannel()
        // MessageChannel ticks, unlike timers, are not clamped to 4 ms, so 5,000 tokens/s can
        // arrive as they would from a socket: one event per chunk, each in its own task.
        channel.port1.onmessage = () => {
          if (signal?.aborted) return
          const due = Math.min(
            tokens.length,
            Math.floor(((performance.now() - started) * tokensPerSecond) / 1000) + 1,
          )
          for (; sent < due; sent += 1) {
            controller.enqueue(encoder.encode(frame('output', sent, tokens[sent] as string)))
          }
          if (sent < tokens.length) return channel.port2.postMessage(null)
          controller.enqueue(encoder.encode(frame('done', sent, '{}')))
          controller.close()
          channel.port1.close()
        }
        controller.enqueue(encoder.encode(': hi\n\n'))
        channel.port2.postMessage(null)
      },
    })
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } })
  }) as typeof fetch
}
