import { StrictMode, type ReactNode } from 'react'
import { act, render, renderHook, waitFor } from '@testing-library/react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PredictionStream, usePredictionStream } from '../../src/index'
import { pageRegistry } from '../../src/react/registry-context'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { cuttingFetch } from '../../testkit/cutting-fetch'

let server: ReplicateServer
beforeAll(async () => {
  // Slow enough that streams are still open while the test mounts and unmounts followers.
  server = await startReplicateServer({ cadence: { firstOutputDelayMs: 0, outputIntervalMs: 20 } })
})
afterAll(() => server.close())

const strict = ({ children }: { children: ReactNode }) => <StrictMode>{children}</StrictMode>
const model = 'nateraw/goliath-120b'
const streamRequests = (requests: { url: string }[]) =>
  requests.filter((request) => request.url.includes('/v1/streams/'))

async function createPrediction(): Promise<string> {
  const response = await fetch(server.predictionsUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, input: { prompt: 'shared' } }),
  })
  return ((await response.json()) as { id: string }).id
}

function Follower({ id, fetch }: { id: string; fetch: typeof globalThis.fetch }) {
  const { text, status } = usePredictionStream({
    endpoint: server.predictionsUrl,
    predictionId: id,
    fetch,
  })
  return <p data-status={status}>{text.length}</p>
}

describe('sharing one prediction', () => {
  it('follows a prediction from several components over one connection; the last to leave closes it', async () => {
    const id = await createPrediction()
    const { fetch, requests } = cuttingFetch([])
    const three = render(
      <StrictMode>
        <Follower id={id} fetch={fetch} />
        <Follower id={id} fetch={fetch} />
        <Follower id={id} fetch={fetch} />
      </StrictMode>,
    )
    await waitFor(() => expect(server.openStreams).toBe(1))
    await waitFor(() =>
      expect(three.container.querySelector('[data-status="processing"]')).not.toBeNull(),
    )
    // One GET of the prediction and one stream connection for three followers, in StrictMode.
    expect(requests.filter((r) => r.url.endsWith(`/api/predictions/${id}`))).toHaveLength(1)
    expect(streamRequests(requests)).toHaveLength(1)
    three.rerender(
      <StrictMode>
        <Follower id={id} fetch={fetch} />
      </StrictMode>,
    )
    await act(() => new Promise((resolve) => setTimeout(resolve, 30)))
    expect(server.openStreams).toBe(1)
    three.unmount()
    await waitFor(() => expect(server.openStreams).toBe(0))
    await waitFor(() => expect(pageRegistry().size).toBe(0))
    expect(streamRequests(requests)).toHaveLength(1)
  })

  it('lets components share a PredictionStream instance; StrictMode neither drops nor reopens it', async () => {
    const { fetch, requests } = cuttingFetch([])
    const stream = new PredictionStream({ endpoint: server.predictionsUrl, model, fetch })
    void stream.start({ prompt: 'one connection' })
    await waitFor(() => expect(stream.getSnapshot().connection).toBe('open'))
    const first = renderHook(() => usePredictionStream({ stream }), { wrapper: strict })
    const second = renderHook(() => usePredictionStream({ stream }), { wrapper: strict })
    await act(() => new Promise((resolve) => setTimeout(resolve, 30)))
    expect(first.result.current.connection).toBe('open')
    expect(streamRequests(requests)).toHaveLength(1)
    first.unmount()
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)))
    expect(stream.getSnapshot().connection).toBe('open')
    second.unmount()
    await waitFor(() => expect(stream.getSnapshot().connection).toBe('closed'))
    expect(streamRequests(requests)).toHaveLength(1)
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1)
    await waitFor(() => expect(server.openStreams).toBe(0))
  })
})

describe('callbacks', () => {
  it('are read through a latest ref: never stale, never a reason to recreate the stream', async () => {
    const seen: string[] = []
    const done: string[] = []
    const { result, rerender } = renderHook(
      ({ tag }) =>
        usePredictionStream({
          endpoint: server.predictionsUrl,
          model: 'meta/meta-llama-3-8b-instruct',
          onOutput: (data) => seen.push(`${tag}:${data}`),
          onDone: (snapshot) => done.push(`${tag}:${snapshot.status}`),
        }),
      { initialProps: { tag: 'a' }, wrapper: strict },
    )
    const stream = result.current.stream
    rerender({ tag: 'b' })
    await act(() => result.current.start({ prompt: 'Please write a haiku about llamas' }))
    await waitFor(() => expect(result.current.status).toBe('succeeded'))
    expect(result.current.stream).toBe(stream)
    expect(seen.length).toBe(result.current.output.length)
    expect(seen.every((entry) => entry.startsWith('b:'))).toBe(true)
    expect(seen.map((entry) => entry.slice(2)).join('')).toBe(result.current.text)
    expect(done).toEqual(['b:succeeded'])
  })
})
