import { PredictionStream } from './prediction-stream'
import type { PredictionStreamOptions } from './types'

/** Options for following an existing prediction by id: no `model`, `version` or `deployment`. */
export type FollowPredictionOptions = Omit<
  PredictionStreamOptions,
  'model' | 'version' | 'deployment' | 'onRelease'
> & {
  /** The id of the prediction to follow (what your endpoint returned as `id`). */
  predictionId: string
}

interface Entry {
  readonly predictionId: string
  readonly stream: PredictionStream
  attached: boolean
}

/**
 * Shares one {@link PredictionStream} per (endpoint, prediction id) among every follower: N
 * components showing the same prediction cost one connection. Keyed by endpoint too, so two
 * apps on one page that use different endpoints never share.
 *
 * The registry only finds and attaches streams; counting their users is the stream's own
 * `retain()`, and when the last user has released one, the registry forgets it, so a later
 * follower starts afresh. React apps get one per page, or pass their own through
 * `<PredictionStreamProvider registry>`; a server render never touches one.
 */
export class PredictionStreamRegistry {
  readonly #entries = new Map<string, Entry>()
  readonly #byStream = new WeakMap<PredictionStream, Entry>()

  /** Streams the registry holds now (each one created by {@link PredictionStreamRegistry.get}). */
  get size(): number {
    return this.#entries.size
  }

  /**
   * The shared stream following `predictionId` through `endpoint`, created on first use.
   * Getting it has no effect on the network: it attaches when its first user calls
   * {@link PredictionStreamRegistry.retain}. The options of the first caller win (later callers
   * share its `fetch`, `headers`, `retry`).
   *
   * @throws {@link InvalidOptionsError} for invalid options, as the `PredictionStream`
   * constructor does.
   */
  get(options: FollowPredictionOptions): PredictionStream {
    const key = `${options.endpoint}\u0000${options.predictionId}`
    const existing = this.#entries.get(key)
    if (existing) return existing.stream
    const { predictionId, ...rest } = options
    const stream: PredictionStream = new PredictionStream({
      ...rest,
      onRelease: () => {
        if (this.#entries.get(key)?.stream === stream) this.#entries.delete(key)
      },
    })
    const entry: Entry = { predictionId, stream, attached: false }
    this.#entries.set(key, entry)
    this.#byStream.set(stream, entry)
    return stream
  }

  /**
   * Declares a user of `stream` (its `retain()`), attaching it on the first use when it came
   * from this registry. Returns the function that ends that use.
   */
  retain(stream: PredictionStream): () => void {
    const release = stream.retain()
    const entry = this.#byStream.get(stream)
    if (entry && !entry.attached) {
      entry.attached = true
      void stream.attach(entry.predictionId)
    }
    return release
  }
}
