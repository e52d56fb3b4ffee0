import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { recordingFor } from '../src/testing/models/prompt-match'
import { recordingsOfModel, selectRecording } from '../src/testing/models/recordings'
import { ChatDemo } from './components/chat-demo'
import { ChatList, CHAT_QUESTIONS } from './components/chat-list'
import { chatNetwork } from './components/chat-network'
import { ReloadableChat } from './components/chat-reload'
import {
  ASK,
  BEGIN,
  BLOG,
  HAIKU,
  LONG,
  LLAMA_3,
  POEM,
  RECORDED_PROMPTS,
  answer,
  answerEnded,
  answerStreaming,
  clearThread,
  replayed,
  shownMessages,
  shownText,
  user,
} from './components/chat-story-kit'

/**
 * A complete chat on `usePredictionChat`, against the local server mounted in Storybook: each
 * answer is one prediction, the prompt is the Llama 3 template applied to the history, and the
 * thread survives reloads in `localStorage`. The recorded prompts are offered as buttons: the
 * local server answers them with what Replicate's models answered.
 */
const meta = {
  title: 'Chat',
  component: ChatDemo,
  parameters: { layout: 'padded' },
  args: { threadId: 'storybook-chat', model: LLAMA_3, suggestions: RECORDED_PROMPTS },
} satisfies Meta<typeof ChatDemo>

export default meta
type Story = StoryObj<typeof meta>

/** Try it: the thread is kept across reloads of this page. */
export const Chat: Story = {}

const promptOf = (network: ReturnType<typeof chatNetwork>) => (predictionId: string) =>
  network.creates.find((create) => create.predictionId === predictionId)?.input.prompt

/** Starts a story on an empty thread, with its network record reset. */
function fresh(threadId: string, network: ReturnType<typeof chatNetwork>) {
  return () => {
    clearThread(threadId)
    network.reset()
  }
}

async function ask(canvasElement: HTMLElement, text: string) {
  const canvas = within(canvasElement)
  await userEvent.type(canvas.getByLabelText('Message'), text)
  await userEvent.click(canvas.getByRole('button', { name: 'Send' }))
}

const threeTurns = chatNetwork()
export const ThreeTurns: Story = {
  name: 'Three turns',
  args: { threadId: 'story-three-turns', fetch: threeTurns.fetch, promptOf: promptOf(threeTurns) },
  beforeEach: fresh('story-three-turns', threeTurns),
  play: async ({ canvasElement }) => {
    await ask(canvasElement, HAIKU)
    await answerEnded(canvasElement, 1)
    await ask(canvasElement, POEM)
    await answerEnded(canvasElement, 3)
    await userEvent.click(within(canvasElement).getByRole('button', { name: /^write me a blog/ }))
    await answerEnded(canvasElement, 5)

    // Each turn sent the whole history in Meta's Llama 3 format.
    const first = BEGIN + user(HAIKU) + ASK
    const second = BEGIN + user(HAIKU) + answer(replayed(first)) + user(POEM) + ASK
    const third =
      BEGIN +
      user(HAIKU) +
      answer(replayed(first)) +
      user(POEM) +
      answer(replayed(second)) +
      user(BLOG) +
      ASK
    await expect(threeTurns.prompts()).toEqual([first, second, third])
    await expect(threeTurns.creates.map((c) => c.input.prompt_template)).toEqual([
      '{prompt}',
      '{prompt}',
      '{prompt}',
    ])
    // The answers shown are what was recorded for each question, without leading blank lines.
    const shown = [0, 1, 2, 3, 4, 5].map((index) => shownText(canvasElement, index))
    await expect(shown).toEqual([
      HAIKU,
      replayed(first).trimStart(),
      POEM,
      replayed(second).trimStart(),
      BLOG,
      replayed(third).trimStart(),
    ])
  },
}

const stopAndRegenerate = chatNetwork()
export const StopAndRegenerate: Story = {
  name: 'Stop and regenerate',
  args: {
    threadId: 'story-stop',
    fetch: stopAndRegenerate.fetch,
    promptOf: promptOf(stopAndRegenerate),
  },
  beforeEach: fresh('story-stop', stopAndRegenerate),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await ask(canvasElement, BLOG)
    await answerStreaming(canvasElement, 1)
    await userEvent.click(canvas.getByRole('button', { name: 'Stop' }))
    await answerEnded(canvasElement, 1, 'canceled')
    const prompt = BEGIN + user(BLOG) + ASK
    const full = replayed(prompt).trimStart()
    const partial = shownText(canvasElement, 1)
    // Stopped midway, keeping the text it had.
    await expect(partial.length).toBeGreaterThan(0)
    await expect(partial.length).toBeLessThan(full.length)
    await expect(full.startsWith(partial)).toBe(true)

    await userEvent.click(canvas.getByRole('button', { name: 'Regenerate' }))
    await answerEnded(canvasElement, 1)
    await expect(shownMessages(canvasElement)).toHaveLength(2)
    await expect(shownText(canvasElement, 1)).toBe(full)
    await expect(stopAndRegenerate.prompts()).toEqual([prompt, prompt])
  },
}

const editAndQueue = chatNetwork()
export const EditAndQueue: Story = {
  name: 'Edit and a queued follow-up',
  args: { threadId: 'story-edit', fetch: editAndQueue.fetch, promptOf: promptOf(editAndQueue) },
  beforeEach: fresh('story-edit', editAndQueue),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await ask(canvasElement, BLOG)
    await answerStreaming(canvasElement, 1)
    // Sent while the answer streams: queued, visibly, then asked with the whole first answer.
    await ask(canvasElement, HAIKU)
    await expect(shownMessages(canvasElement)[2]).toHaveTextContent('Queued')
    await answerEnded(canvasElement, 3)
    const first = BEGIN + user(BLOG) + ASK
    const followUp = BEGIN + user(BLOG) + answer(replayed(first)) + user(HAIKU) + ASK
    await expect(editAndQueue.prompts()).toEqual([first, followUp])
    await expect(shownMessages(canvasElement)[2]).not.toHaveTextContent('Queued')
    await expect(shownText(canvasElement, 3)).toBe(replayed(followUp).trimStart())

    // Editing the first question drops what followed and asks the new text.
    await userEvent.click(canvas.getAllByRole('button', { name: 'Edit' })[0]!)
    const editor = canvas.getByLabelText('Edit message')
    await userEvent.clear(editor)
    await userEvent.type(editor, POEM)
    await userEvent.click(canvas.getByRole('button', { name: 'Save and ask again' }))
    await answerEnded(canvasElement, 1)
    await expect(shownMessages(canvasElement)).toHaveLength(2)
    const edited = BEGIN + user(POEM) + ASK
    await expect(editAndQueue.prompts()).toEqual([first, followUp, edited])
    await expect(shownText(canvasElement, 0)).toBe(POEM)
    await expect(shownText(canvasElement, 1)).toBe(replayed(edited).trimStart())
  },
}

const failure = chatNetwork()
export const InjectedFailure: Story = {
  name: 'A dropped network, then regenerate',
  args: {
    threadId: 'story-failure',
    fetch: failure.fetch,
    promptOf: promptOf(failure),
    // Give up quickly on the dropped network: the story shows the failure, not the backoff.
    retry: { maxAttempts: 1, baseDelayMs: 50, maxDelayMs: 100 },
  },
  beforeEach: fresh('story-failure', failure),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    failure.dropNextAnswer()
    await ask(canvasElement, BLOG)
    await answerEnded(canvasElement, 1, 'failed')
    await expect(canvas.getByRole('alert')).toHaveTextContent('The model could not be reached')
    const full = replayed(BEGIN + user(BLOG) + ASK).trimStart()
    const partial = shownText(canvasElement, 1)
    // The text received before the drop is kept.
    await expect(partial.length).toBeGreaterThan(0)
    await expect(full.startsWith(partial)).toBe(true)

    await userEvent.click(canvas.getByRole('button', { name: 'Regenerate' }))
    await answerEnded(canvasElement, 1)
    await expect(shownText(canvasElement, 1)).toBe(full)
    await expect(canvas.queryByRole('alert')).toBeNull()
    await expect(failure.creates).toHaveLength(2)
  },
}

const reload = chatNetwork()
export const ReloadMidAnswer: Story = {
  name: 'Reload mid-answer',
  render: (args) => <ReloadableChat {...args} />,
  args: { threadId: 'story-reload', fetch: reload.fetch, promptOf: promptOf(reload) },
  beforeEach: fresh('story-reload', reload),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await ask(canvasElement, BLOG)
    await answerStreaming(canvasElement, 1)
    await userEvent.click(canvas.getByRole('button', { name: 'Simulate a reload' }))
    // The new chat paints the thread from localStorage in its first render.
    await expect(shownText(canvasElement, 0)).toBe(BLOG)
    await expect(shownMessages(canvasElement)).toHaveLength(2)
    await answerEnded(canvasElement, 1)
    // Re-attached, not created again; the text complete exactly once.
    await expect(shownText(canvasElement, 1)).toBe(replayed(BEGIN + user(BLOG) + ASK).trimStart())
    await expect(reload.creates).toHaveLength(1)
  },
}

const counts = { renders: 0 }
const countRenders = () => void (counts.renders += 1)
export const RendersPerAnswer: Story = {
  name: 'Renders per answer',
  args: { threadId: 'story-renders', onListRender: countRenders },
  beforeEach: () => clearThread('story-renders'),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const suggestion = (name: RegExp) => canvas.getByRole('button', { name })
    let before = counts.renders
    await userEvent.click(suggestion(/^Please write a haiku/))
    await answerEnded(canvasElement, 1)
    const shortAnswer = counts.renders - before
    before = counts.renders
    await userEvent.click(suggestion(/^write me a blog/))
    await answerEnded(canvasElement, 3)
    const longAnswer = counts.renders - before
    const haiku = BEGIN + user(HAIKU) + ASK
    const tokens = (prompt: string) => recordingFor(LLAMA_3, { prompt }).output.length
    await expect(tokens(BEGIN + user(HAIKU) + answer(replayed(haiku)) + user(BLOG) + ASK)).toBe(927)
    await expect(tokens(haiku)).toBeLessThan(20)
    // The list renders when an answer is asked for, created, started and ended (started may
    // come with the end when the first network chunk holds the whole answer): never per token,
    // so 927 tokens cost it no more than 17 do.
    await expect(shortAnswer).toBeGreaterThanOrEqual(3)
    await expect(shortAnswer).toBeLessThanOrEqual(4)
    await expect(longAnswer).toBeGreaterThanOrEqual(3)
    await expect(longAnswer).toBeLessThanOrEqual(4)
    await expect(longAnswer).toBeLessThanOrEqual(6)
  },
}

const several = { renders: 0 }
export const SeveralStreams: Story = {
  name: 'Several streams',
  render: () => <ChatList onRender={() => void (several.renders += 1)} />,
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const before = several.renders
    await userEvent.click(canvas.getByRole('button', { name: 'Ask all' }))
    for (const [index, question] of CHAT_QUESTIONS.entries()) {
      const shown = canvas.getByTestId(`answer-${index}`)
      await waitFor(() => expect(shown).toHaveAttribute('data-status', 'succeeded'), LONG)
      const expected = selectRecording(recordingsOfModel(question.model), {
        prompt: question.prompt,
      })
      await expect(shown.textContent).toBe(expected.output.join(''))
    }
    // Three streams of tokens, and the list around them did not re-render once.
    await expect(several.renders).toBe(before)
  },
}
