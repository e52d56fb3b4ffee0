import { StrictMode, type ReactNode } from 'react'
import { act, renderHook, waitFor } from '@testing-library/react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { usePredictionStream } from '../../src/index'
import { recordingsOfModel, selectRecording } from '../../src/testing/models/recordings'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { cuttingFetch } from '../../testkit/cutting-fetch'

let server: ReplicateServer
beforeAll(async () => {
  server = await startReplicateServer({ cadence: 'fast' })
})
afterAll(() => server.close())

const strict = ({ children }: { children: ReactNode }) => <StrictMode>{children}</StrictMode>
const model = 'meta/meta-llama-3-8b-instruct'

describe('usePredictionStream', () => {
  it('requests nothing on mount or render, even in StrictMode', async () => {
    const { fetch, requests } = cuttingFetch([])
    const { result, rerender } = renderHook(
      () => usePredictionStream({ endpoint: server.predictionsUrl, model, fetch }),
      { wrapper: strict },
    )
    rerender()
    expect(result.current.status).toBe('idle')
    expect(result.current.connection).toBe('idle')
    expect(requests).toHaveLength(0)
  })

  it('creates exactly one prediction per start in StrictMode and streams it to the end', async () => {
    const { fetch, requests } = cuttingFetch([])
    const created = server.predictions.length
    const { result } = renderHook(
      () => usePredictionStream({ endpoint: server.predictionsUrl, model, fetch }),
      { wrapper: strict },
    )
    const prompt = 'Please write a haiku about llamas'
    await act(() => result.current.start({ prompt }))
    await waitFor(() => expect(result.current.connection).toBe('closed'))
    const expected = selectRecording(recordingsOfModel(model), { prompt })
    expect(result.current.status).toBe('succeeded')
    expect(result.current.text).toBe(expected.output.join(''))
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(server.predictions.length - created).toBe(1)
  })

  it('closes the connection on unmount without canceling the prediction', async () => {
    const slow = await startReplicateServer({
      cadence: { firstOutputDelayMs: 0, outputIntervalMs: 20 },
    })
    try {
      const { result, unmount } = renderHook(
        () => usePredictionStream({ endpoint: slow.predictionsUrl, model: 'nateraw/goliath-120b' }),
        { wrapper: strict },
      )
      act(() => void result.current.start({ prompt: 'x' }))
      await waitFor(() => expect(result.current.output.length).toBeGreaterThan(0))
      expect(slow.openStreams).toBe(1)
      unmount()
      await waitFor(() => expect(slow.openStreams).toBe(0))
      expect(slow.predictions[0]?.status).toBe('processing')
    } finally {
      await slow.close()
    }
  })

  it('reads the latest headers at each request without recreating the stream', async () => {
    const seen: (string | null)[] = []
    const fetch: typeof globalThis.fetch = (input, init) => {
      seen.push(new Headers(init?.headers).get('x-app-user'))
      return globalThis.fetch(input, init)
    }
    const { result, rerender } = renderHook(
      ({ user }) =>
        usePredictionStream({
          endpoint: server.predictionsUrl,
          model,
          fetch,
          headers: { 'X-App-User': user },
        }),
      { initialProps: { user: 'ada' } },
    )
    const first = result.current.stream
    rerender({ user: 'grace' })
    expect(result.current.stream).toBe(first)
    await act(() => result.current.start({ prompt: 'hi' }))
    expect(seen[0]).toBe('grace')
    // The stream URL is a capability URL on another origin: app headers never go there.
    await waitFor(() => expect(result.current.connection).toBe('closed'))
    expect(seen.slice(1).every((value) => value === null)).toBe(true)
  })

  it('starts over with an idle stream when the model changes', async () => {
    const { result, rerender } = renderHook(
      ({ name }) => usePredictionStream({ endpoint: server.predictionsUrl, model: name }),
      { initialProps: { name: model } },
    )
    await act(() => result.current.start({ prompt: 'hi' }))
    await waitFor(() => expect(result.current.status).toBe('succeeded'))
    const first = result.current.stream
    rerender({ name: 'meta/llama-2-70b-chat' })
    expect(result.current.stream).not.toBe(first)
    expect(result.current.status).toBe('idle')
    expect(result.current.text).toBe('')
  })
})
