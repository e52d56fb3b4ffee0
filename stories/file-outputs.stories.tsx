import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { fileOutputOf, usePredictionStream } from '../src/index'
import { recordingsOfModel } from '../src/testing/models/recordings'

/**
 * An image iterator streams its frames as file URLs: `output` holds them one by one and `text`
 * stays empty (the `outputKind` is `'items'`). The frames are shown as tiles naming each file,
 * because the recorded URLs point at Replicate's CDN, which the local server does not serve.
 */
function FrameStream({ model, prompt }: { model: string; prompt: string }) {
  const { status, output, outputKind, text, start } = usePredictionStream({
    endpoint: '/api/predictions',
    model,
  })
  const running = status === 'starting' || status === 'processing'
  return (
    <section>
      <button type="button" onClick={() => void start({ prompt })} disabled={running}>
        Start
      </button>
      <p>
        Status: {status} · kind: {outputKind ?? 'unknown'} · frames: {output.length} · text length:{' '}
        {text.length}
      </p>
      <ol aria-label="Frames" style={{ display: 'flex', flexWrap: 'wrap', gap: 8, padding: 0 }}>
        {output.map((item, index) => {
          const file = fileOutputOf(item)
          return (
            <li key={index} style={{ listStyle: 'none', width: 96 }}>
              <a href={file?.url} title={item} style={{ display: 'block', padding: 8 }}>
                Frame {index + 1}
              </a>
            </li>
          )
        })}
      </ol>
    </section>
  )
}

const meta = {
  title: 'Live streams/File outputs',
  component: FrameStream,
  parameters: { layout: 'padded' },
} satisfies Meta<typeof FrameStream>

export default meta
type Story = StoryObj<typeof meta>

const MODEL = 'nicholascelestin/glid-3'

export const ImageIterator: Story = {
  name: 'An image iterator streaming its frames',
  args: { model: MODEL, prompt: 'a llama in the snow' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const frames = recordingsOfModel(MODEL)[0]!.output.length
    await userEvent.click(canvas.getByRole('button', { name: 'Start' }))
    await waitFor(() => expect(canvas.getByText(/Status: succeeded/)).toBeVisible(), {
      timeout: 60_000,
    })
    await expect(canvas.getByText(new RegExp(`frames: ${frames} `))).toBeVisible()
    await expect(canvas.getByText(/kind: items/)).toBeVisible()
    await expect(canvas.getByText(/text length: 0/)).toBeVisible()
    await expect(
      within(canvas.getByRole('list', { name: 'Frames' })).getAllByRole('listitem'),
    ).toHaveLength(frames)
  },
}
