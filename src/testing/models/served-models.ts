/**
 * The models the local server runs, in one list: every recorded model of `recorded-outputs.json`
 * (text and image-iterator), plus `local/echo`, a local-only test model. Resolves the model and
 * version a create request names and decides what a prediction with a given input yields.
 */
import { INPUT_SCHEMAS, type JsonSchema } from './input-schemas'
import { matchRecording } from './prompt-match'
import { RECORDINGS, recordingsOfModel } from './recordings'

/**
 * `local/echo`: **not a Replicate model**. It streams its `input.prompt` back, split before each
 * run of whitespace (`"café 😀"` → `"café"`, `" 😀"`), or exactly the items of `input.outputs`.
 * It exists for wire-level tests the recordings cannot drive: multi-byte UTF-8 (no recording has
 * any), a lone `\r`, empty items, newline-only items.
 */
export const ECHO_MODEL = 'local/echo'

/** The made-up version id of {@link ECHO_MODEL} (sha256 of its name). */
export const ECHO_VERSION = 'e65ca42f78b5c4a8445e8c0b377f01b68eb7f8edeae37d3d0282ef058b4ff01f'

/** How a model's outputs stream: text deltas on `/v1/streams/…`, file URLs on `/v1/files/…`. */
export type ModelKind = 'text' | 'files'

/**
 * A model the server can run. Select by `kind` and `localOnly` rather than keeping lists of
 * names: `SERVED_MODELS.filter((model) => model.kind === 'text' && !model.localOnly)` are the
 * recorded language models.
 */
export interface ServedModel {
  /** `owner/name`. */
  readonly name: string
  /** `'text'`: token deltas on `/v1/streams/…`; `'files'`: file URLs on `/v1/files/…`. */
  readonly kind: ModelKind
  /** Version ids it accepts; the first is used when a request names none. */
  readonly versions: readonly string[]
  /** Its Cog-like input schema (see `src/testing/models/input-schemas.ts`). */
  readonly inputSchema: JsonSchema
  /** `true` for `local/echo`, which does not exist on Replicate. */
  readonly localOnly: boolean
}

/** What one prediction of a model yields. */
export interface ModelRun {
  readonly version: string
  /** The items to publish, in order, one `output` event each. */
  readonly outputs: readonly string[]
  /** Where the outputs come from, for the prediction's `logs`. */
  readonly source: string
}

/**
 * Version ids a recorded model also answers to: the two `meta/llama-2-70b-chat` versions of
 * Replicate's post "Streaming output for language models" (https://replicate.com/blog/streaming),
 * its cURL example's and its Node example's, so the post's commands run verbatim against the
 * local server. They replay the model's recordings, and predictions report the version asked for.
 */
export const ARTICLE_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  'meta/llama-2-70b-chat': [
    '58d078176e02c219e11eb4da5a02a7830a283b14cf8f94537af893ccff5ee781',
    '2c1608e18606fad2812020dc541930f2d0495ce32eee50074220b87300bc16e1',
  ],
}

function served(name: string, kind: ModelKind, versions: readonly string[]): ServedModel {
  const inputSchema = INPUT_SCHEMAS[name]
  if (!inputSchema) throw new Error(`No input schema for ${name}`)
  return { name, kind, versions, inputSchema, localOnly: name === ECHO_MODEL }
}

/**
 * Every served model: recorded ones in file order (of their first recording), then
 * `local/echo`. The one model list of the local server: the CLI's help, the deployments
 * and the tests all derive theirs from it.
 */
export const SERVED_MODELS: readonly ServedModel[] = [
  ...[...new Set(RECORDINGS.map((r) => r.model))].map((name) => {
    const recordings = recordingsOfModel(name)
    const recorded = recordings.map((r) => r.version)
    return served(name, recordings[0]!.kind, [
      ...new Set([...recorded, ...(ARTICLE_VERSIONS[name] ?? [])]),
    ])
  }),
  served(ECHO_MODEL, 'text', [ECHO_VERSION]),
]

/** The served model `owner/name`, or `undefined`. */
export function findModel(name: string): ServedModel | undefined {
  return SERVED_MODELS.find((model) => model.name === name)
}

/**
 * Resolves the `version` field of `POST /v1/predictions` in the three forms of Replicate's
 * OpenAPI schema: a version id (here also the recorded `dp-…` ids), `owner/name:id`, and
 * `owner/name` (official models). `undefined` when nothing matches, which the API answers with
 * 422 `Invalid version or not permitted`.
 */
export function findVersion(version: string): { model: ServedModel; version: string } | undefined {
  const colon = version.indexOf(':')
  if (colon !== -1) {
    const model = findModel(version.slice(0, colon))
    const id = version.slice(colon + 1)
    return model?.versions.includes(id) ? { model, version: id } : undefined
  }
  if (version.includes('/')) {
    const model = findModel(version)
    return model && { model, version: model.versions[0]! }
  }
  const model = SERVED_MODELS.find((candidate) => candidate.versions.includes(version))
  return model && { model, version }
}

/** Splits before each run of whitespace, so the items concatenate back to `text` exactly. */
export function splitIntoTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? []
}

/**
 * What a prediction of `model` (at `version`, or its default) yields for `input`: for a recorded
 * model the recording its prompt asks for, else one of its recordings at that version chosen by
 * a hash of `input.prompt` (see `matchRecording`); for {@link ECHO_MODEL} the prompt's tokens
 * or `input.outputs`. `input` must already have passed the model's schema.
 */
export function runModel(
  model: ServedModel,
  version: string | undefined,
  input: Readonly<Record<string, unknown>>,
): ModelRun {
  if (model.name === ECHO_MODEL) {
    const outputs = Array.isArray(input.outputs)
      ? input.outputs.map(String)
      : splitIntoTokens(String(input.prompt ?? ''))
    return { version: ECHO_VERSION, outputs, source: 'echo of the input' }
  }
  const all = recordingsOfModel(model.name)
  const atVersion = version === undefined ? all : all.filter((r) => r.version === version)
  const recording = matchRecording(atVersion.length > 0 ? atVersion : all, input)
  // Another model's recording of the same prompt replays under this model's version.
  const own = recording.model === model.name
  return {
    // A version with no recording of its own (ARTICLE_VERSIONS) is still the one asked for.
    version:
      own && (atVersion.length > 0 || version === undefined)
        ? recording.version
        : (version ?? model.versions[0]!),
    outputs: recording.output,
    source: `recorded prediction ${recording.id}`,
  }
}
