/**
 * Which recording a prompt replays, so that a chat against the local server answers what was
 * asked: a prompt equal to a recorded prompt (or whose last user turn is, in a Llama 3 instruct
 * or Llama 2 chat prompt that carries the whole conversation) replays that recording.
 */
import { RECORDINGS, recordingsOfModel, selectRecording, type Recording } from './recordings'

const LLAMA_3_USER = /<\|start_header_id\|>user<\|end_header_id\|>\n\n([\s\S]*?)<\|eot_id\|>/g
const LLAMA_2_INSTRUCTION = /\[INST\]([\s\S]*?)\[\/INST\]/g
const LLAMA_2_SYSTEM = /^\s*<<SYS>>[\s\S]*?<<\/SYS>>/

/**
 * The last user turn of a Llama 3 instruct prompt (header tokens,
 * https://www.llama.com/docs/model-cards-and-prompt-formats/meta-llama-3/) or of a Llama 2
 * chat prompt (`[INST] … [/INST]`, https://huggingface.co/blog/llama2#how-to-prompt-llama-2),
 * without its system prompt; any other prompt as it is. Without surrounding whitespace.
 */
export function lastUserTurn(prompt: string): string {
  const llama3 = [...prompt.matchAll(LLAMA_3_USER)].at(-1)
  if (llama3) return (llama3[1] as string).trim()
  const llama2 = [...prompt.matchAll(LLAMA_2_INSTRUCTION)].at(-1)
  if (llama2) return (llama2[1] as string).replace(LLAMA_2_SYSTEM, '').trim()
  return prompt.trim()
}

/**
 * The recording a prediction replays for `input`, among `recordings` (its model's, at the
 * version asked for):
 *
 * 1. those whose prompt equals `input.prompt`'s last user turn (see {@link lastUserTurn};
 *    compared without surrounding whitespace);
 * 2. else the other models' recordings of the same kind with that prompt, so a chat answers a
 *    recorded question whichever recorded model it talks to;
 * 3. else any of `recordings`.
 *
 * Among several, {@link selectRecording} picks one by a hash of the whole prompt: the same
 * prompt always replays the same output.
 *
 * @throws RangeError when `recordings` is empty.
 */
export function matchRecording(
  recordings: readonly Recording[],
  input: Readonly<Record<string, unknown>>,
): Recording {
  const prompt = typeof input.prompt === 'string' ? lastUserTurn(input.prompt) : undefined
  const asked = (recording: Recording) =>
    prompt !== undefined &&
    typeof recording.input.prompt === 'string' &&
    recording.input.prompt.trim() === prompt
  const own = recordings.filter(asked)
  if (own.length > 0) return selectRecording(own, input)
  const kind = recordings[0]?.kind
  const others = RECORDINGS.filter((r) => r.kind === kind && !recordings.includes(r) && asked(r))
  return selectRecording(others.length > 0 ? others : recordings, input)
}

/**
 * What the local server replays for a prediction of `model` with `input`: for tests and stories
 * that compare what they show with what was recorded.
 */
export function recordingFor(model: string, input: Readonly<Record<string, unknown>>): Recording {
  return matchRecording(recordingsOfModel(model), input)
}
