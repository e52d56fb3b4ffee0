import { Profiler } from 'react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import Markdown from 'markdown-to-jsx/react'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { recordingsOfModel, selectRecording } from '../src/testing/models/recordings'
import { pacedTokenFetch } from '../testkit/paced-token-fetch'
import { cuttingFetch } from '../testkit/cutting-fetch'
import { LiveAnswer } from './components/live-answer'

/**
 * Live streams from the local Replicate-compatible server mounted in Storybook's dev server:
 * real recorded outputs, token by token. Each story's play function presses Start and checks
 * what a user would see.
 */
const meta = {
  title: 'Live streams',
  component: LiveAnswer,
  parameters: { layout: 'padded' },
} satisfies Meta<typeof LiveAnswer>

export default meta
type Story = StoryObj<typeof meta>

const GOLIATH = 'nateraw/goliath-120b'
const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
const STREAM_TIMEOUT = { timeout: 60_000 }

/** The recording the server replays for this model and prompt. */
const expected = (model: string, prompt: string) =>
  selectRecording(recordingsOfModel(model), { prompt }).output.join('')

/** Visible text of the answer, without the cursor. */
function answerText(canvasElement: HTMLElement, testId = 'answer'): string {
  const element = within(canvasElement).getByTestId(testId)
  const clone = element.cloneNode(true) as HTMLElement
  clone.querySelector('[data-streaming-cursor]')?.remove()
  return clone.textContent ?? ''
}

export const LongStream: Story = {
  name: 'Long stream (927 tokens)',
  args: { model: GOLIATH, prompt: 'write me a blogpost all about parmigiano reggiano' },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Start' }))
    await waitFor(() => expect(canvas.getByText(/Status: succeeded/)).toBeVisible(), STREAM_TIMEOUT)
    await expect(answerText(canvasElement)).toBe(expected(args.model, args.prompt))
    await expect(canvas.getByTestId('answer')).toHaveAttribute('aria-busy', 'false')
    await expect(canvas.getByRole('status')).toHaveTextContent('Response complete.')
  },
}

export const Reconnecting: Story = {
  name: 'Reconnecting after a dropped connection',
  args: {
    model: GOLIATH,
    prompt: 'reconnect',
    // The network cut is the one thing a real server cannot be told to do at an exact byte: the
    // first stream connection is cut 3,000 bytes in, inside an event.
    fetch: cuttingFetch([3000]).fetch,
    retry: { baseDelayMs: 1500, maxDelayMs: 1500 },
  },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Start' }))
    await waitFor(
      () => expect(canvas.getByText(/Connection: reconnecting/)).toBeVisible(),
      STREAM_TIMEOUT,
    )
    await expect(canvas.getByText(/Attempt: 1/)).toBeVisible()
    await waitFor(() => expect(canvas.getByText(/Status: succeeded/)).toBeVisible(), STREAM_TIMEOUT)
    // Resumed with Last-Event-ID and deduplicated: not a token lost or doubled.
    await expect(answerText(canvasElement)).toBe(expected(args.model, args.prompt))
  },
}

const burstTokens = recordingsOfModel(GOLIATH)[0]!.output
const burstCommits = { count: 0 }

export const Burst: Story = {
  name: 'Burst at 2,000 tokens per second',
  args: {
    model: GOLIATH,
    prompt: 'burst',
    // Paced at exactly 2,000 tokens/s at the fetch level, one event per chunk: a rate the
    // server's millisecond timers cannot hold. Parser, stream and React are the real code.
    fetch: pacedTokenFetch(burstTokens, 2000),
  },
  decorators: [
    (Story) => (
      <Profiler id="burst" onRender={() => void (burstCommits.count += 1)}>
        <Story />
      </Profiler>
    ),
  ],
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    burstCommits.count = 0
    await userEvent.click(canvas.getByRole('button', { name: 'Start' }))
    await waitFor(() => expect(canvas.getByText(/Status: succeeded/)).toBeVisible(), STREAM_TIMEOUT)
    await expect(answerText(canvasElement)).toBe(burstTokens.join(''))
    // 927 tokens in under half a second: one commit per animation frame, not one per token.
    await expect(burstCommits.count).toBeLessThan(burstTokens.length / 4)
  },
}

export const SmoothReveal: Story = {
  name: 'Smooth reveal',
  args: { model: LLAMA_3, prompt: 'Please write a haiku about llamas', reveal: { maxLagMs: 300 } },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Start' }))
    await waitFor(() => expect(canvas.getByText(/Status: succeeded/)).toBeVisible(), STREAM_TIMEOUT)
    // The reveal catches up within its bound: the full text shows soon after the end.
    await waitFor(() => expect(answerText(canvasElement)).toBe(expected(args.model, args.prompt)))
  },
}

export const MarkdownRender: Story = {
  name: 'Custom rendering (markdown)',
  args: {
    model: 'meta/llama-2-70b-chat',
    prompt: 'A poem about open source machine learning',
    // markdown-to-jsx builds React elements; raw HTML in model output is not parsed.
    render: (text) => <Markdown options={{ disableParsingRawHTML: true }}>{text}</Markdown>,
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Start' }))
    await waitFor(() => expect(canvas.getByText(/Status: succeeded/)).toBeVisible(), STREAM_TIMEOUT)
    const answer = canvas.getByTestId('answer')
    await expect(answer.querySelectorAll('p').length).toBeGreaterThan(1)
    await expect(answer.querySelector('script, img, iframe')).toBeNull()
  },
}

export const RejectedInput: Story = {
  name: 'Rejected input (422)',
  args: {
    model: 'meta/llama-2-70b-chat',
    prompt: 'A poem about open source machine learning',
    // Out of the model's range (0–5): the server refuses the create, as Replicate does.
    input: { temperature: 9 },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Start' }))
    await waitFor(() => expect(canvas.getByText(/Status: failed/)).toBeVisible(), STREAM_TIMEOUT)
    // What a person reads names the rejected input, not a URL or a status code.
    await expect(canvas.getByRole('alert')).toHaveTextContent(
      'This prompt was rejected: temperature must be less than or equal to 5.',
    )
    await expect(answerText(canvasElement)).toBe('')
  },
}

export const Unreachable: Story = {
  name: 'Model unreachable',
  args: {
    model: LLAMA_3,
    prompt: 'Please write a haiku about llamas',
    // A network that is down is the one thing the local server cannot be: every request fails
    // the way fetch fails offline.
    fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    retry: { maxAttempts: 1 },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Start' }))
    await waitFor(() => expect(canvas.getByText(/Status: failed/)).toBeVisible(), STREAM_TIMEOUT)
    await expect(canvas.getByRole('alert')).toHaveTextContent(
      'The model could not be reached. Try again.',
    )
  },
}
