import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect } from 'storybook/test'
import { StreamingText } from '../src/index'
import { recordingsOfModel } from '../src/testing/models/recordings'

/** `<StreamingText>` in each state, from fixed props: no network involved. */
const meta = {
  title: 'StreamingText',
  component: StreamingText,
  args: { text: '', status: 'idle' },
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

/** The element StreamingText rendered: the story root's only child. */
function rendered(canvasElement: HTMLElement): HTMLElement {
  const element = canvasElement.firstElementChild
  if (!(element instanceof HTMLElement)) throw new Error('StreamingText rendered nothing')
  return element
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
  args: { text: partialPoem, status: 'failed' },
  play: async ({ canvasElement }) => {
    // Partial text survives a failure (docs/design.md rule 3).
    await expectSettled(rendered(canvasElement), partialPoem, 'failed')
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
