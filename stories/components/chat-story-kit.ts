import { expect, waitFor } from 'storybook/test'
import { recordingFor } from '../../src/testing/models/prompt-match'

/** The model the chat stories talk to. */
export const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'

/** Prompts the local server has recorded answers for (of three models; it answers them all). */
export const HAIKU = 'Please write a haiku about llamas'
export const POEM =
  "Can you write a poem about open source machine learning? Let's make it in the style of E. E. Cummings."
/** 927 recorded tokens: long enough to stop, drop or reload midway. */
export const BLOG =
  'write me a blogpost all about parmigiano reggiano. Include helpful tips, like what to do with the rinds, whether you should buy pre-grated vs non-grated, etc, etc. Grumble about poor quality american Parmesan.'
export const RECORDED_PROMPTS = [HAIKU, POEM, BLOG] as const

/**
 * The Llama 3 instruct format, spelled out
 * (https://www.llama.com/docs/model-cards-and-prompt-formats/meta-llama-3/): the prompt each
 * turn must send is written with these, independently of the library's template.
 */
export const BEGIN = '<|begin_of_text|>'
export const user = (text: string) =>
  `<|start_header_id|>user<|end_header_id|>\n\n${text}<|eot_id|>`
export const answer = (text: string) =>
  `<|start_header_id|>assistant<|end_header_id|>\n\n${text.trim()}<|eot_id|>`
export const ASK = '<|start_header_id|>assistant<|end_header_id|>\n\n'

/** What the local server replays for this prompt, verbatim. */
export const replayed = (prompt: string) => recordingFor(LLAMA_3, { prompt }).output.join('')

/** Waits on a condition that holds once a streamed answer has ended (a loaded machine is slow). */
export const LONG = { timeout: 30_000 }

/** Forgets a thread kept by an earlier run, so the story starts empty. */
export function clearThread(threadId: string): void {
  localStorage.removeItem(`react-prediction-stream:chat:${threadId}`)
}

/** The messages shown, in order. */
export function shownMessages(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('[data-testid="message"]')]
}

/** The text shown for message `index` (answers without their leading whitespace). */
export function shownText(root: HTMLElement, index: number): string {
  const message = shownMessages(root)[index]
  const text = message?.querySelector('[data-testid="answer"], [data-testid="question"]')
  // The cursor shown while streaming is not part of the text.
  const cursor = text?.querySelector('[data-streaming-cursor]')?.textContent ?? ''
  return (text?.textContent ?? '').slice(0, (text?.textContent?.length ?? 0) - cursor.length)
}

/** Waits until answer `index` has ended with `status` (its `data-status`). */
export async function answerEnded(root: HTMLElement, index: number, status = 'succeeded') {
  await waitFor(
    () =>
      expect(shownMessages(root)[index]?.querySelector('[data-testid="answer"]')).toHaveAttribute(
        'data-status',
        status,
      ),
    LONG,
  )
}

/** Waits until answer `index` shows some streamed text. */
export async function answerStreaming(root: HTMLElement, index: number) {
  await waitFor(() => expect(shownText(root, index).length).toBeGreaterThan(0), LONG)
}
