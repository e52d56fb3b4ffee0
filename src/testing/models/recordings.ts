/**
 * Real outputs recorded from Replicate's API (see `about` in `recorded-outputs.json`), which the
 * server replays one `output` event per recorded item. Which models it serves, and at which
 * versions, is `served-models.ts`'s job.
 */
import recordedOutputs from './recorded-outputs.json' with { type: 'json' }

/** One recorded prediction. */
export interface Recording {
  /** The id Replicate gave the recorded prediction (informational only). */
  readonly id: string
  /** `owner/name`. */
  readonly model: string
  /** The version the recording ran on: 64-hex, or a deployment version such as `dp-…`. */
  readonly version: string
  /**
   * `'text'`: a language model whose items are token deltas to concatenate
   * (`x-cog-array-display: concatenate`); `'files'`: an image iterator whose items are file URLs,
   * streamed on a `/v1/files/` URL (`docs/replicate-protocol.md` §1.2, §3.3).
   */
  readonly kind: 'text' | 'files'
  /** The input of the recorded prediction. */
  readonly input: Readonly<Record<string, unknown>>
  /** The recorded `output` array: one item per yielded value, verbatim (`""`, `"\n\n"`, `" word"`). */
  readonly output: readonly string[]
}

/**
 * Every recording, in file order. The file models' items are `https://replicate.delivery/…` URLs
 * that expired long ago: the server streams them as the strings Replicate sent and never fetches
 * them.
 */
export const RECORDINGS: readonly Recording[] = recordedOutputs.predictions.map(
  ({ id, model, version, kind, input, output }) => ({
    id,
    model,
    version,
    kind: kind === 'files' ? 'files' : 'text',
    input,
    output: output.map(String),
  }),
)

/** The text recordings: token deltas that `<StreamingText>` concatenates. */
export const TEXT_RECORDINGS: readonly Recording[] = RECORDINGS.filter((r) => r.kind === 'text')

/** The image-iterator recordings, served on `/v1/files/…` stream URLs. */
export const FILE_RECORDINGS: readonly Recording[] = RECORDINGS.filter((r) => r.kind === 'files')

/** The recordings of `owner/name` (text or files), or an empty array for an unknown model. */
export function recordingsOfModel(model: string): readonly Recording[] {
  return RECORDINGS.filter((recording) => recording.model === model)
}

/**
 * Picks one of `recordings` for `input`, deterministically: FNV-1a (32 bit) of the UTF-8 bytes of
 * `input.prompt` modulo the count. The same prompt always replays the same output, so tests and
 * stories are reproducible, while different prompts still show different recordings.
 *
 * @throws RangeError when `recordings` is empty.
 */
export function selectRecording(
  recordings: readonly Recording[],
  input: Readonly<Record<string, unknown>>,
): Recording {
  if (recordings.length === 0) throw new RangeError('selectRecording needs at least one recording')
  const prompt = typeof input.prompt === 'string' ? input.prompt : ''
  return recordings[fnv1a32(prompt) % recordings.length]!
}

/** FNV-1a, 32 bit, over the UTF-8 encoding of `text`; an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of new TextEncoder().encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193)
  }
  return hash >>> 0
}
