/**
 * The message list of a chat does not re-render per token: each streaming answer is a
 * `<StreamingText>` with its own subscription. Real Chromium, real local server (mounted in
 * Vitest's Vite server, ≈1 ms per token). Counts renders, never durations.
 */
import { Profiler, useEffect } from 'react'
import { describe, expect, it } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { render } from 'vitest-browser-react'
import { StreamingText, usePredictionChat, type ChatMessage } from '../../src/index'
import { recordingFor } from '../../src/testing/models/prompt-match'

const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
const HAIKU = 'Please write a haiku about llamas'
const BLOG =
  'write me a blogpost all about parmigiano reggiano. Include helpful tips, like what to do with the rinds, whether you should buy pre-grated vs non-grated, etc, etc. Grumble about poor quality american Parmesan.'

const counts = { list: 0, answers: 0 }

function Chat() {
  const { messages, send, getTextProps } = usePredictionChat({
    endpoint: '/api/predictions',
    model: LLAMA_3,
    threadId: 'render-count',
    storage: false,
  })
  return (
    <>
      <button type="button" onClick={() => send(HAIKU)}>
        Haiku
      </button>
      <button type="button" onClick={() => send(BLOG)}>
        Blog
      </button>
      <List messages={messages} getTextProps={getTextProps} />
    </>
  )
}

function List({
  messages,
  getTextProps,
}: {
  messages: readonly ChatMessage[]
  getTextProps: ReturnType<typeof usePredictionChat>['getTextProps']
}) {
  // Counted per commit, so a render React throws away is not counted.
  useEffect(() => {
    counts.list += 1
  })
  return (
    <ol>
      {messages.map((message) => (
        <li key={message.id} data-status={message.status}>
          <Profiler id="answer" onRender={() => void (counts.answers += 1)}>
            <StreamingText {...getTextProps(message)} />
          </Profiler>
        </li>
      ))}
    </ol>
  )
}

const answered = (count: number) =>
  expect
    .poll(() => document.querySelectorAll('li[data-status="succeeded"]').length, {
      timeout: 30_000,
    })
    .toBe(count)

describe('usePredictionChat rendering', () => {
  it('renders the message list a few times per answer, however many tokens it has', async () => {
    await render(<Chat />)
    let list = counts.list
    let answers = counts.answers
    await userEvent.click(page.getByRole('button', { name: 'Haiku' }))
    await answered(1)
    const short = { list: counts.list - list, answers: counts.answers - answers }
    list = counts.list
    answers = counts.answers
    await userEvent.click(page.getByRole('button', { name: 'Blog' }))
    await answered(2)
    const long = { list: counts.list - list, answers: counts.answers - answers }

    const header = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`
    const haiku = `<|begin_of_text|>${header('user')}${HAIKU}<|eot_id|>${header('assistant')}`
    const first = recordingFor(LLAMA_3, { prompt: haiku }).output.join('')
    const blog = `${haiku}${first.trim()}<|eot_id|>${header('user')}${BLOG}<|eot_id|>${header('assistant')}`
    expect(recordingFor(LLAMA_3, { prompt: haiku }).output.length).toBeLessThan(20)
    expect(recordingFor(LLAMA_3, { prompt: blog }).output).toHaveLength(927)
    expect(document.querySelectorAll('li')[3]!.querySelector('[aria-busy]')!.textContent).toBe(
      recordingFor(LLAMA_3, { prompt: blog }).output.join('').trimStart(),
    )
    // Asked, created, started, ended: at most four list renders per answer, for 17 tokens as
    // for 927 (started comes with the end when one network chunk holds the whole answer).
    expect(short.list).toBeGreaterThanOrEqual(3)
    expect(short.list).toBeLessThanOrEqual(4)
    expect(long.list).toBeGreaterThanOrEqual(3)
    expect(long.list).toBeLessThanOrEqual(4)
    // Meanwhile the long answer itself re-rendered as its text streamed in.
    expect(long.answers).toBeGreaterThan(long.list * 3)
  })
})
