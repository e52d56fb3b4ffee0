import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { MinimalChat } from './components/chat-minimal'
import { ASK, BEGIN, HAIKU, LONG, clearThread, replayed, user } from './components/chat-story-kit'

/**
 * A custom chat in under 40 lines, composed from `usePredictionChat` and `<StreamingText>` alone
 * (see stories/components/chat-minimal.tsx): the hook gives the thread and the verbs,
 * `getTextProps(message)` gives each `<StreamingText>` its stream while it streams.
 */
const meta = {
  title: 'Chat/Minimal custom chat',
  component: MinimalChat,
  parameters: { layout: 'padded' },
  args: { threadId: 'story-minimal' },
  beforeEach: () => clearThread('story-minimal'),
} satisfies Meta<typeof MinimalChat>

export default meta
type Story = StoryObj<typeof meta>

export const MinimalCustomChat: Story = {
  name: 'Minimal custom chat',
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(canvas.getByLabelText('Message'), HAIKU)
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }))
    const texts = () => [...canvasElement.querySelectorAll<HTMLElement>('li [data-status]')]
    await waitFor(() => expect(texts()[1]).toHaveAttribute('data-status', 'succeeded'), LONG)
    await expect(texts().map((text) => text.textContent)).toEqual([
      HAIKU,
      replayed(BEGIN + user(HAIKU) + ASK).trimStart(),
    ])
  },
}
