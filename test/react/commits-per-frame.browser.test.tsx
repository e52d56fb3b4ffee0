import { Profiler, StrictMode, useState } from 'react'
import { describe, expect, it } from 'vitest'
import { render } from 'vitest-browser-react'
import { PredictionStream, StreamingText, usePredictionStream } from '../../src/index'
import { recordingsOfModel } from '../../src/testing/models/recordings'

// Real Chromium, real local server (mounted into Vitest's Vite server, ≈1 ms per token), real
// animation frames. Asserts counts: commits against frames and tokens, never durations.

const ENDPOINT = '/api/predictions'
const MODEL = 'nateraw/goliath-120b' // 927 recorded tokens
const TOKENS = recordingsOfModel(MODEL)[0]!.output.length

/** Counts animation frames until stopped. */
function frameCounter() {
  let frames = 0
  let running = true
  const tick = () => {
    if (!running) return
    frames += 1
    requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
  return {
    stop() {
      running = false
      return frames
    },
  }
}

function waitFor(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const poll = () => {
      if (predicate()) return resolve()
      if (performance.now() - started > timeoutMs) return reject(new Error('timed out'))
      setTimeout(poll, 10)
    }
    poll()
  })
}

describe('commits per frame', () => {
  it('usePredictionStream commits at most once per frame while tokens stream in', async () => {
    let commits = 0
    let latest: ReturnType<typeof usePredictionStream> | undefined
    function Answer() {
      latest = usePredictionStream({ endpoint: ENDPOINT, model: MODEL })
      return <StreamingText text={latest.text} status={latest.status} />
    }
    await render(
      <StrictMode>
        <Profiler id="answer" onRender={() => void (commits += 1)}>
          <Answer />
        </Profiler>
      </StrictMode>,
    )
    const mountCommits = commits
    const frames = frameCounter()
    void latest!.start({ prompt: 'parmigiano' })
    await waitFor(() => latest?.connection === 'closed')
    const frameCount = frames.stop()
    const streamCommits = commits - mountCommits
    expect(latest!.status).toBe('succeeded')
    expect(latest!.output).toHaveLength(TOKENS)
    // Text growth is held to one commit per frame; status and connection changes (starting,
    // connecting, open, processing, succeeded, closed) are published at once, and may each
    // cost a commit of their own.
    expect(streamCommits).toBeLessThanOrEqual(frameCount + 8)
    expect(streamCommits).toBeLessThan(TOKENS / 4)
  })

  it('with <StreamingText stream>, the parent renders once while the child follows the stream', async () => {
    let parentRenders = 0
    let childCommits = 0
    let stream: PredictionStream | undefined
    function Chat() {
      parentRenders += 1
      const [own] = useState(() => new PredictionStream({ endpoint: ENDPOINT, model: MODEL }))
      stream = own
      return (
        <Profiler id="text" onRender={() => void (childCommits += 1)}>
          <StreamingText stream={own} />
        </Profiler>
      )
    }
    await render(<Chat />)
    const frames = frameCounter()
    const before = childCommits
    void stream!.start({ prompt: 'parmigiano' })
    await waitFor(() => stream?.getSnapshot().connection === 'closed')
    const frameCount = frames.stop()
    expect(stream!.getSnapshot().text).toBe(recordingsOfModel(MODEL)[0]!.output.join(''))
    expect(parentRenders).toBe(1)
    expect(childCommits - before).toBeLessThanOrEqual(frameCount + 8)
    expect(childCommits - before).toBeLessThan(TOKENS / 4)
  })
})
