/**
 * usePredictionChat in jsdom under StrictMode, against the real local server over loopback.
 */
import { StrictMode, type ReactNode } from 'react'
import { renderToString } from 'react-dom/server'
import { act, renderHook, waitFor } from '@testing-library/react'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { usePredictionChat, type UsePredictionChatOptions } from '../../src/index'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { recordingFor } from '../../src/testing/models/prompt-match'
import { cuttingFetch } from '../../testkit/cutting-fetch'

const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
const HAIKU = 'Please write a haiku about llamas'
const header = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`

let server: ReplicateServer
beforeAll(async () => {
  server = await startReplicateServer({ cadence: 'fast' })
})
afterAll(() => server.close())
beforeEach(() => localStorage.clear())

const strict = ({ children }: { children: ReactNode }) => <StrictMode>{children}</StrictMode>

function renderChat(options: Partial<UsePredictionChatOptions> = {}) {
  const { fetch, requests } = cuttingFetch([])
  const view = renderHook(
    (props: Partial<UsePredictionChatOptions>) =>
      usePredictionChat({
        endpoint: server.predictionsUrl,
        model: LLAMA_3,
        fetch,
        ...options,
        ...props,
      }),
    { wrapper: strict, initialProps: {} },
  )
  return { ...view, requests }
}

const settled = (status: string, messages: readonly { status: string }[]) =>
  status === 'idle' && messages.every((m) => m.status !== 'queued')

describe('usePredictionChat', () => {
  it('requests nothing on mount, and creates exactly one prediction per send in StrictMode', async () => {
    const { result, requests } = renderChat()
    expect(requests).toHaveLength(0)
    expect(result.current.restored).toBe(true)
    act(() => void result.current.send(HAIKU))
    await waitFor(() => expect(result.current.messages[1]?.status).toBe('succeeded'))
    const prompt = `<|begin_of_text|>${header('user')}${HAIKU}<|eot_id|>${header('assistant')}`
    expect(result.current.messages[1]!.content).toBe(
      recordingFor(LLAMA_3, { prompt }).output.join(''),
    )
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(result.current.status).toBe('idle')
  })

  it('gives each streaming answer its stream, and shows answers without leading whitespace', async () => {
    const { result } = renderChat()
    act(() => void result.current.send(HAIKU))
    const answer = result.current.messages[1]!
    const streaming = result.current.getTextProps(answer)
    expect(streaming.stream).toBe(result.current.streamOf(answer.id))
    expect(streaming.stream).toBeDefined()
    await waitFor(() => expect(result.current.messages[1]?.status).toBe('succeeded'))
    const done = result.current.getTextProps(result.current.messages[1]!)
    expect(done.stream).toBeUndefined()
    expect(done.text).toMatch(/^\n\n/)
    expect(done.status).toBe('succeeded')
    const shown = renderToString(<>{done.render!(done.text!, 'succeeded')}</>)
    // The first line of the answer comes first: the leading blank lines are not shown.
    const firstLine = done.text!.trimStart().split('\n')[0]!
    expect(shown.replace(/<[^>]*>/g, '').startsWith(firstLine)).toBe(true)
    const question = result.current.getTextProps(result.current.messages[0]!)
    expect(question).toMatchObject({ text: HAIKU, status: 'idle', render: undefined })
  })

  it('keeps answers verbatim on display with trimLeadingWhitespace: false', () => {
    const { result } = renderChat({ trimLeadingWhitespace: false })
    const props = result.current.getTextProps({
      id: 'a',
      role: 'assistant',
      content: '\n\nHi',
      status: 'succeeded',
      error: null,
      predictionId: null,
      metrics: null,
    })
    expect(props.render).toBeUndefined()
  })

  it('paints a stored thread in its first render, and switches threads by threadId', () => {
    const stored = (content: string) =>
      JSON.stringify({
        version: 1,
        messages: [
          {
            id: content,
            role: 'user',
            content,
            status: 'sent',
            error: null,
            predictionId: null,
            metrics: null,
            tab: 'another-tab',
          },
        ],
      })
    localStorage.setItem('react-prediction-stream:chat:one', stored('first thread'))
    localStorage.setItem('react-prediction-stream:chat:two', stored('second thread'))
    const { result, rerender } = renderChat({ threadId: 'one' })
    expect(result.current.messages.map((m) => m.content)).toEqual(['first thread'])
    rerender({ threadId: 'two' })
    expect(result.current.messages.map((m) => m.content)).toEqual(['second thread'])
  })

  it('reads systemPrompt and input when an answer is asked for, not when the chat was made', async () => {
    const from = server.predictions.length
    const { result, rerender } = renderChat()
    rerender({ systemPrompt: 'Answer in French.', input: { max_tokens: 64 } })
    act(() => void result.current.send(HAIKU))
    await waitFor(() => expect(settled(result.current.status, result.current.messages)).toBe(true))
    expect(server.predictions.slice(from).map((p) => p.input)).toEqual([
      {
        prompt:
          `<|begin_of_text|>${header('system')}Answer in French.<|eot_id|>` +
          `${header('user')}${HAIKU}<|eot_id|>${header('assistant')}`,
        prompt_template: '{prompt}',
        max_tokens: 64,
      },
    ])
  })

  it('renders nothing of the thread on the server, and requests nothing', () => {
    localStorage.setItem(
      'react-prediction-stream:chat:ssr',
      JSON.stringify({ version: 1, messages: [] }),
    )
    const { fetch, requests } = cuttingFetch([])
    function Chat() {
      const { messages, restored } = usePredictionChat({
        endpoint: '/api/predictions',
        model: LLAMA_3,
        threadId: 'ssr',
        fetch,
      })
      return <p>{`${messages.length} ${restored}`}</p>
    }
    expect(renderToString(<Chat />)).toBe('<p>0 false</p>')
    expect(requests).toHaveLength(0)
  })
})
