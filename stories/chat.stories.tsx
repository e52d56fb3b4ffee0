import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { recordingsOfModel, selectRecording } from '../src/testing/models/recordings'
import { ChatList, CHAT_QUESTIONS } from './components/chat-list'

/** Several answers streaming at once from the local server, each in its own StreamingText. */
const meta = {
  title: 'Chat',
  component: ChatList,
  parameters: { layout: 'padded' },
} satisfies Meta<typeof ChatList>

export default meta
type Story = StoryObj<typeof meta>

const renders = { count: 0 }

export const SeveralStreams: Story = {
  name: 'Several streams',
  args: { onRender: () => void (renders.count += 1) },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const before = renders.count
    await userEvent.click(canvas.getByRole('button', { name: 'Ask all' }))
    for (const [index, question] of CHAT_QUESTIONS.entries()) {
      const answer = canvas.getByTestId(`answer-${index}`)
      await waitFor(() => expect(answer).toHaveAttribute('data-status', 'succeeded'), {
        timeout: 60_000,
      })
      const expected = selectRecording(recordingsOfModel(question.model), {
        prompt: question.prompt,
      })
      await expect(answer.textContent).toBe(expected.output.join(''))
    }
    // Three streams of tokens, and the list around them did not re-render once.
    await expect(renders.count).toBe(before)
  },
}
