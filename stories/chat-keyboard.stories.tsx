import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { ChatDemo } from './components/chat-demo'
import {
  ASK,
  BEGIN,
  BLOG,
  HAIKU,
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

/** The chat driven with the keyboard alone: Tab, Shift+Tab, typing, Enter and Escape. */
const meta = {
  title: 'Chat/Keyboard only',
  component: ChatDemo,
  parameters: { layout: 'padded' },
  args: { threadId: 'story-keyboard', model: LLAMA_3, suggestions: RECORDED_PROMPTS },
  beforeEach: () => clearThread('story-keyboard'),
} satisfies Meta<typeof ChatDemo>

export default meta
type Story = StoryObj<typeof meta>

/**
 * Presses Tab (or Shift+Tab) until `target` has the focus: proof that the keyboard reaches it.
 * Fails when it is not reached within a full cycle of the page's focusable elements.
 */
async function tabTo(target: HTMLElement, shift = false) {
  for (let presses = 0; presses < 40; presses += 1) {
    if (document.activeElement === target) return
    await userEvent.tab({ shift })
  }
  await expect(document.activeElement).toBe(target)
}

export const KeyboardOnly: Story = {
  name: 'Keyboard only',
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const composer = canvas.getByLabelText('Message')

    // Send: type, Enter.
    await tabTo(composer)
    await userEvent.keyboard(HAIKU)
    await userEvent.keyboard('{Enter}')
    await answerEnded(canvasElement, 1)
    const haiku = BEGIN + user(HAIKU) + ASK
    await expect(shownText(canvasElement, 1)).toBe(replayed(haiku).trimStart())

    // Stop: a recorded prompt's button, Enter; then Tab to Stop, Enter.
    await tabTo(canvas.getByRole('button', { name: /^write me a blog/ }), true)
    await userEvent.keyboard('{Enter}')
    await answerStreaming(canvasElement, 3)
    await tabTo(canvas.getByRole('button', { name: 'Stop' }))
    await userEvent.keyboard('{Enter}')
    await answerEnded(canvasElement, 3, 'canceled')
    // Focus comes back to the composer.
    await waitFor(() => expect(document.activeElement).toBe(composer))

    // Regenerate: Shift+Tab back to the stopped answer's button, Enter.
    const regenerate = canvas.getAllByRole('button', { name: 'Regenerate' })[1]!
    await tabTo(regenerate, true)
    await userEvent.keyboard('{Enter}')
    await answerEnded(canvasElement, 3)
    const blog = BEGIN + user(HAIKU) + answer(replayed(haiku)) + user(BLOG) + ASK
    await expect(shownText(canvasElement, 3)).toBe(replayed(blog).trimStart())

    // Edit: Shift+Tab to the first question's Edit, Enter, replace the text, Enter.
    await tabTo(canvas.getAllByRole('button', { name: 'Edit' })[0]!, true)
    await userEvent.keyboard('{Enter}')
    const editor = canvas.getByLabelText('Edit message')
    await expect(document.activeElement).toBe(editor)
    await userEvent.keyboard('{Control>}a{/Control}{Backspace}')
    await userEvent.keyboard(POEM)
    await userEvent.keyboard('{Enter}')
    await answerEnded(canvasElement, 1)
    await expect(shownMessages(canvasElement)).toHaveLength(2)
    await expect(shownText(canvasElement, 0)).toBe(POEM)
    await expect(shownText(canvasElement, 1)).toBe(replayed(BEGIN + user(POEM) + ASK).trimStart())

    // Escape in the composer stops a streaming answer.
    await waitFor(() => expect(document.activeElement).toBe(composer))
    await tabTo(canvas.getByRole('button', { name: /^write me a blog/ }), true)
    await userEvent.keyboard('{Enter}')
    await answerStreaming(canvasElement, 3)
    await tabTo(composer)
    await userEvent.keyboard('{Escape}')
    await answerEnded(canvasElement, 3, 'canceled')
  },
}
