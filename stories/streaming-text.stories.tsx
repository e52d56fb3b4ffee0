import type { ReactNode } from 'react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import {
  PredictionFailedError,
  StreamingText,
  type PredictionStreamError,
  type StreamStatus,
} from '../src/index'
import { recordingsOfModel } from '../src/testing/models/recordings'
import { StatusBadge } from './components/status-badge'

/** What each status means for the person reading, shown beside its badge. */
const HINTS: Record<StreamStatus, string> = {
  idle: 'Nothing has been asked yet.',
  starting: 'Waiting for the first token…',
  processing: 'Tokens are arriving.',
  succeeded: 'The whole answer arrived.',
  failed: 'The model stopped with an error; the text received before it is kept.',
  canceled: 'Canceled; the text received before it is kept.',
  aborted: 'The deadline passed before the model started: nothing was generated.',
}

/**
 * The frame an app would put around the text: a status badge, and the error's message when it
 * failed. `<StreamingText>` itself only marks its element (`data-status`, `aria-busy`) and
 * announces the end; how a failure looks is up to the app.
 */
function StatusFrame(props: {
  status: StreamStatus
  error: PredictionStreamError | null | undefined
  children: ReactNode
}) {
  return (
    <div className="rps-card" style={{ margin: 0 }}>
      <p className="rps-row">
        <StatusBadge status={props.status} />
        <span className="rps-muted">{HINTS[props.status]}</span>
      </p>
      {props.children}
      {props.status === 'failed' ? (
        <p className="rps-error">{props.error?.message ?? 'The prediction failed.'}</p>
      ) : null}
    </div>
  )
}

/** `<StreamingText>` in each state, from fixed props: no network involved. */
const meta = {
  title: 'StreamingText',
  component: StreamingText,
  args: { text: '', status: 'idle', className: 'rps-output' },
  parameters: { layout: 'padded' },
  decorators: [
    (Story, { args }) => (
      <StatusFrame status={args.status ?? 'idle'} error={args.error}>
        <Story />
      </StatusFrame>
    ),
  ],
} satisfies Meta<typeof StreamingText>

export default meta
type Story = StoryObj<typeof meta>

function recordedOutput(model: string): readonly string[] {
  const recording = recordingsOfModel(model)[0]
  if (!recording) throw new Error(`No recording of ${model}`)
  return recording.output
}

// Real recorded tokens: they start with " " and "\n\n", which is what the component must keep.
const poemTokens = recordedOutput('meta/llama-2-70b-chat')
const partialPoem = poemTokens.slice(0, 40).join('')
const fullPoem = poemTokens.join('')
const blogpost = recordedOutput('nateraw/goliath-120b').join('')

/** The element StreamingText rendered (inside the story's frame): the one with `aria-busy`. */
function rendered(canvasElement: HTMLElement): HTMLElement {
  const elements = canvasElement.querySelectorAll<HTMLElement>('[aria-busy]')
  if (elements.length !== 1) throw new Error(`StreamingText rendered ${elements.length} elements`)
  return elements[0]!
}

/** What the element reads as, without the cursor span that textContent would include. */
function textWithoutCursor(element: HTMLElement): string {
  const clone = element.cloneNode(true) as HTMLElement
  clone.querySelector('[data-streaming-cursor]')?.remove()
  return clone.textContent ?? ''
}

function cursorOf(element: HTMLElement): Element | null {
  return element.querySelector('[data-streaming-cursor]')
}

/** Asserts what a finished (not streaming) text shows: the text alone, not busy, no cursor. */
async function expectSettled(element: HTMLElement, text: string, status: string) {
  await expect(element.textContent).toBe(text)
  await expect(element).toHaveAttribute('aria-busy', 'false')
  await expect(element).toHaveAttribute('data-status', status)
  await expect(cursorOf(element)).toBeNull()
  await expectBadge(element, status)
}

/** The frame's badge names the status, so no two states look alike. */
async function expectBadge(element: HTMLElement, status: string) {
  const frame = element.closest<HTMLElement>('.rps-card')
  await expect(frame).not.toBeNull()
  await expect(within(frame!).getByText(`Status: ${status}`)).toBeVisible()
}

/** Asserts what a streaming text shows: the text, then an aria-hidden cursor; busy. */
async function expectStreaming(element: HTMLElement, text: string, status: string) {
  await expect(textWithoutCursor(element)).toBe(text)
  await expect(element).toHaveAttribute('aria-busy', 'true')
  await expect(element).toHaveAttribute('data-status', status)
  const cursor = cursorOf(element)
  await expect(cursor).not.toBeNull()
  await expect(cursor).toHaveAttribute('aria-hidden', 'true')
  await expect(element.lastChild).toBe(cursor)
  await expectBadge(element, status)
}

export const Idle: Story = {
  play: async ({ canvasElement }) => {
    await expectSettled(rendered(canvasElement), '', 'idle')
  },
}

export const Starting: Story = {
  args: { status: 'starting' },
  play: async ({ canvasElement }) => {
    await expectStreaming(rendered(canvasElement), '', 'starting')
  },
}

export const Streaming: Story = {
  args: { text: partialPoem, status: 'processing' },
  play: async ({ canvasElement }) => {
    const element = rendered(canvasElement)
    await expect(partialPoem).toMatch(/^ Sure!/)
    await expect(partialPoem).toContain('\n\n')
    await expectStreaming(element, partialPoem, 'processing')
    // pre-wrap is what makes the newlines and leading spaces visible at all.
    await expect(getComputedStyle(element).whiteSpace).toBe('pre-wrap')
  },
}

export const Succeeded: Story = {
  args: { text: fullPoem, status: 'succeeded' },
  play: async ({ canvasElement }) => {
    await expectSettled(rendered(canvasElement), fullPoem, 'succeeded')
  },
}

export const Failed: Story = {
  args: {
    text: partialPoem,
    status: 'failed',
    error: new PredictionFailedError('CUDA out of memory'),
  },
  play: async ({ canvasElement }) => {
    // Partial text survives a failure (docs/design.md rule 3).
    await expectSettled(rendered(canvasElement), partialPoem, 'failed')
    // …and the failure shows: a badge, and the error's message written for people.
    const canvas = within(canvasElement)
    await expect(canvas.getByText('Status: failed')).toBeVisible()
    await expect(canvas.getByText('The model stopped with an error. Try again.')).toBeVisible()
  },
}

export const Canceled: Story = {
  args: { text: partialPoem, status: 'canceled' },
  play: async ({ canvasElement }) => {
    await expectSettled(rendered(canvasElement), partialPoem, 'canceled')
  },
}

export const Aborted: Story = {
  // A Cancel-After deadline passed before the model started: nothing was generated.
  args: { text: '', status: 'aborted' },
  play: async ({ canvasElement }) => {
    await expectSettled(rendered(canvasElement), '', 'aborted')
  },
}

export const LongText: Story = {
  name: 'Long text',
  args: { text: blogpost, status: 'succeeded' },
  play: async ({ canvasElement }) => {
    await expectSettled(rendered(canvasElement), blogpost, 'succeeded')
  },
}

const hostile =
  '<img src=x onerror="window.__pwned=1"> and <script>window.__pwned=1</script> are just text'

export const HostileText: Story = {
  name: 'Hostile text',
  args: { text: hostile, status: 'processing' },
  play: async ({ canvasElement }) => {
    const element = rendered(canvasElement)
    await expectStreaming(element, hostile, 'processing')
    await expect(element.querySelector('img, script')).toBeNull()
    // Had an <img src=x> been created, its onerror would run once "x" fails to load. Wait for our
    // own <img src=x> (not in the document) to fail the same way before checking the flag.
    await new Promise<void>((resolve) => {
      const probe = new Image()
      probe.onerror = () => resolve()
      probe.onload = () => resolve()
      probe.src = 'x'
    })
    await expect((window as { __pwned?: unknown }).__pwned).toBeUndefined()
  },
}

export const CustomElement: Story = {
  name: 'Custom element',
  args: {
    text: partialPoem,
    status: 'processing',
    as: 'pre',
    className: 'transcript',
    cursor: false,
  },
  play: async ({ canvasElement }) => {
    const element = rendered(canvasElement)
    await expect(element.tagName).toBe('PRE')
    await expect(element).toHaveClass('transcript')
    await expect(element.textContent).toBe(partialPoem)
    // Still busy while streaming, even without a visible cursor.
    await expect(element).toHaveAttribute('aria-busy', 'true')
    await expect(cursorOf(element)).toBeNull()
  },
}
