import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { recordingsOfModel, selectRecording } from '../src/testing/models/recordings'
import { Playground } from './components/playground'
import { storiesRunAsTests } from './run-mode'

/**
 * Live against the local Replicate-compatible server that `.storybook/main.ts` mounts into the dev
 * server: real recorded tokens, no token and no network.
 */
const meta = {
  title: 'Playground',
  component: Playground,
  parameters: { layout: 'fullscreen' },
} satisfies Meta<typeof Playground>

export default meta
type Story = StoryObj<typeof meta>

/** Generous: a person's `npm start` replays at a realistic cadence, the test run at ≈1 ms/token. */
const STREAM_TIMEOUT_MS = 20_000

/** What the server replays for this prompt: the same selection function it uses itself. */
function expectedText(model: string, prompt: string): string {
  return selectRecording(recordingsOfModel(model), { prompt }).output.join('')
}

function controls(canvasElement: HTMLElement) {
  const canvas = within(canvasElement)
  return {
    canvas,
    model: canvas.getByLabelText<HTMLSelectElement>('Model'),
    prompt: canvas.getByLabelText<HTMLTextAreaElement>('Prompt'),
    start: canvas.getByRole('button', { name: 'Start' }),
    cancel: canvas.getByRole('button', { name: 'Cancel' }),
    output: canvas.getByRole('region', { name: 'Output' }),
  }
}

export const Default: Story = {
  play: async ({ canvasElement, step }) => {
    const { canvas, model, prompt, start, cancel, output } = controls(canvasElement)
    await expect(canvas.getByText('Status: idle')).toBeVisible()
    await expect(cancel).toBeDisabled()
    await expect(start).toBeEnabled()
    // A person who opens the Playground is in charge: nothing starts until they press Start
    // (docs/design.md rule 1). The stories-as-tests run presses it for them.
    if (!storiesRunAsTests) return

    await userEvent.click(start)
    await waitFor(() => expect(canvas.getByText('Status: succeeded')).toBeVisible(), {
      timeout: STREAM_TIMEOUT_MS,
    })

    await step('the answer is the recording, byte for byte', async () => {
      // textContent, not a normalizing matcher: leading "\n\n" and " word" tokens are real.
      await expect(output.textContent).toBe(expectedText(model.value, prompt.value))
      await expect(output).toHaveAttribute('aria-busy', 'false')
      await expect(output.querySelector('[data-streaming-cursor]')).toBeNull()
      await expect(canvas.getByText('Connection: closed')).toBeVisible()
      await expect(canvas.queryByRole('alert')).toBeNull()
      await expect(cancel).toBeDisabled()
    })

    await step('the timing shows the phases of the run', async () => {
      const timing = within(canvas.getByRole('group', { name: 'Timing' }))
      await expect(timing.getByText('done')).toBeVisible()
      const outputs = canvasElement.querySelector('[data-timing="Outputs"]')?.textContent
      await expect(Number(outputs)).toBeGreaterThan(0)
      for (const name of ['Create', 'First output', 'Generation']) {
        await expect(canvasElement.querySelector(`[data-timing="${name}"]`)?.textContent).toMatch(
          /^\d+ ms$/,
        )
      }
    })
  },
}

export const Cancel: Story = {
  // 927 recorded tokens: long enough to cancel midway even at the test cadence.
  args: { initialModel: 'nateraw/goliath-120b' },
  play: async ({ canvasElement, step }) => {
    const { canvas, model, prompt, start, cancel, output } = controls(canvasElement)
    const full = expectedText(model.value, prompt.value)

    await userEvent.click(start)
    // The cursor alone is not text: wait for the first token.
    await waitFor(() => expect(output.textContent?.replace('▍', '')).not.toBe(''), {
      timeout: STREAM_TIMEOUT_MS,
    })
    await userEvent.click(cancel)
    await waitFor(() => expect(canvas.getByText('Status: canceled')).toBeVisible(), {
      timeout: STREAM_TIMEOUT_MS,
    })

    await step('the partial answer is kept', async () => {
      const partial = output.textContent ?? ''
      await expect(partial).not.toBe('')
      await expect(partial.length).toBeLessThan(full.length)
      await expect(full.startsWith(partial)).toBe(true)
      await expect(output).toHaveAttribute('aria-busy', 'false')
      await expect(output.querySelector('[data-streaming-cursor]')).toBeNull()
      await expect(canvas.getByText('Connection: closed')).toBeVisible()
      // Canceling is what the user asked for, not an error.
      await expect(canvas.queryByRole('alert')).toBeNull()
    })
  },
}
