import type { Meta, StoryObj } from '@storybook/react-vite'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { recordingsOfModel } from '../src/testing/models/recordings'
import { CurlPipeline, NodeExample } from './components/seed-article'
import { storiesRunAsTests } from './run-mode'

/**
 * The examples of Replicate's post "Streaming output for language models", run against the local
 * server; the docs page `stories/docs/seed-article.mdx` shows them with the post's steps. A person
 * presses Run; the stories-as-tests run presses it and checks what was printed.
 */
const meta = {
  title: 'Guides/Follow the seed article',
  component: CurlPipeline,
  parameters: { layout: 'padded' },
} satisfies Meta<typeof CurlPipeline>

export default meta
type Story = StoryObj<typeof meta>

const RUN_TIMEOUT = { timeout: 30_000 }
/** The server's one recording of the model the post uses. */
const recorded = recordingsOfModel('meta/llama-2-70b-chat')[0]!.output

function parse(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = []
  createParser({ onEvent: (event) => events.push(event) }).feed(text)
  return events
}

/** Presses `button`, waits for the run to end, and returns what the `transcript` panel shows. */
async function runAndWait(
  canvasElement: HTMLElement,
  button: string,
  transcript: string,
): Promise<string> {
  const canvas = within(canvasElement)
  await userEvent.click(canvas.getByRole('button', { name: button }))
  const section = canvasElement.querySelector('[data-run-state]')!
  await waitFor(() => expect(section).toHaveAttribute('data-run-state', 'done'), RUN_TIMEOUT)
  return canvas.getByRole('region', { name: transcript }).textContent ?? ''
}

export const Curl: Story = {
  name: 'The cURL example',
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByText('Not run yet.')).toBeVisible()
    if (!storiesRunAsTests) return
    const printed = await runAndWait(canvasElement, 'Run the commands', 'What cURL prints')
    // `echo $STREAM_URL`, then the stream's bytes until done, then the Ctrl-C.
    const [streamUrl, ...rest] = printed.split('\n')
    await expect(streamUrl).toMatch(new RegExp(`^${location.origin}/v1/streams/[a-z2-7]{52}$`))
    const events = parse(rest.join('\n'))
    await expect(events.filter((e) => e.event === 'output').map((e) => e.data)).toEqual(recorded)
    await expect(events.at(-1)).toMatchObject({ event: 'done', data: '{}' })
    await expect(printed.endsWith('^C\n')).toBe(true)
  },
}

export const Node: Story = {
  name: 'The Node.js example',
  render: () => <NodeExample />,
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByText('Not run yet.')).toBeVisible()
    if (!storiesRunAsTests) return
    const printed = await runAndWait(canvasElement, 'Run the example', 'What the console prints')
    const streamUrl = printed.slice(0, printed.indexOf('\n'))
    await expect(streamUrl).toMatch(new RegExp(`^${location.origin}/v1/streams/[a-z2-7]{52}$`))
    // What the post's console.log calls print, one output per recorded token, then done.
    await expect(printed).toBe(
      `${streamUrl}\n${recorded.map((token) => `output ${token}\n`).join('')}done {}\n`,
    )
  },
}
