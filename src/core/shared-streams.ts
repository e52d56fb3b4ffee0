import { PredictionStream } from './prediction-stream'
import type { PredictionStreamOptions } from './types'

interface Entry {
  key: string
  predictionId: string
  stream: PredictionStream
  users: number
  attached: boolean
  timer: ReturnType<typeof setTimeout> | undefined
}

// One stream per (endpoint, prediction id), shared by every follower: N components showing the
// same prediction cost one connection. Keyed by endpoint too, so two apps on one page that use
// different endpoints never share.
const entries = new Map<string, Entry>()
const byStream = new WeakMap<PredictionStream, Entry>()

/** Options for following an existing prediction by id. `model`/`version` are not needed. */
export type SharedPredictionStreamOptions = Omit<PredictionStreamOptions, 'model' | 'version'> & {
  /** The id of the prediction to follow. */
  predictionId: string
}

/**
 * The shared {@link PredictionStream} following `predictionId` through `endpoint`, created on
 * first use. Getting it has no effect on the network: the stream attaches when its first user
 * calls {@link retainSharedPredictionStream}, and disconnects when the last one releases.
 * The options of the first caller win (later callers share its `fetch`, `headers`, `retry`).
 */
export function getSharedPredictionStream(
  options: SharedPredictionStreamOptions,
): PredictionStream {
  const key = `${options.endpoint}\u0000${options.predictionId}`
  const existing = entries.get(key)
  if (existing) return existing.stream
  const { predictionId, ...rest } = options
  const stream = new PredictionStream(rest)
  const entry: Entry = { key, predictionId, stream, users: 0, attached: false, timer: undefined }
  entries.set(key, entry)
  byStream.set(stream, entry)
  return stream
}

/**
 * Declares a user of a shared stream; attaches it on the first. Returns the release function.
 * When the last user releases, the stream disconnects after the current task (so a StrictMode
 * remount keeps the connection) and is forgotten, so a later follower starts afresh.
 */
export function retainSharedPredictionStream(stream: PredictionStream): () => void {
  const entry = byStream.get(stream)
  const release = stream.retain()
  if (!entry) return release
  entry.users += 1
  if (entry.timer !== undefined) clearTimeout(entry.timer)
  entry.timer = undefined
  if (!entry.attached) {
    entry.attached = true
    void stream.attach(entry.predictionId)
  }
  let released = false
  return () => {
    if (released) return
    released = true
    release()
    entry.users -= 1
    if (entry.users > 0) return
    entry.timer = setTimeout(() => {
      if (entry.users === 0 && entries.get(entry.key) === entry) entries.delete(entry.key)
    }, 0)
  }
}

/** How many shared streams exist right now (for tests and devtools). */
export function sharedPredictionStreamCount(): number {
  return entries.size
}
