import { isTerminalStatus, type PredictionUrls } from './prediction'
import type { ResumeOptions, ResumeStorage, SnapshotSource } from './types'

/** What is remembered about a running prediction. */
export interface StoredPrediction {
  id: string
  urls: PredictionUrls
  lastEventId: string | null
}

const PREFIX = 'react-prediction-stream:'

/** How often, at most, a changed last event ID is written to storage (ms). */
const WRITE_INTERVAL_MS = 1000

/**
 * Reads and writes the remembered prediction of one key. Storage can throw (quota, privacy
 * modes, a disabled `sessionStorage`): losing the ability to resume must never break the
 * stream, so every failure is swallowed and reads as "nothing remembered".
 */
export class ResumeStore {
  readonly #key: string
  readonly #storage: ResumeStorage | undefined

  constructor(options: ResumeOptions) {
    this.#key = PREFIX + options.key
    this.#storage = options.storage ?? defaultStorage()
  }

  read(): StoredPrediction | undefined {
    try {
      const raw = this.#storage?.getItem(this.#key)
      if (!raw) return undefined
      const value = JSON.parse(raw) as Partial<StoredPrediction>
      if (typeof value.id !== 'string' || typeof value.urls !== 'object' || value.urls === null) {
        return undefined
      }
      return { id: value.id, urls: value.urls, lastEventId: value.lastEventId ?? null }
    } catch {
      return undefined
    }
  }

  write(value: StoredPrediction): void {
    try {
      this.#storage?.setItem(this.#key, JSON.stringify(value))
    } catch {
      // See the class comment.
    }
  }

  clear(): void {
    try {
      this.#storage?.removeItem(this.#key)
    } catch {
      // See the class comment.
    }
  }
}

function defaultStorage(): ResumeStorage | undefined {
  try {
    return (globalThis as { sessionStorage?: ResumeStorage }).sessionStorage
  } catch {
    // Reading sessionStorage itself throws where storage is disabled.
    return undefined
  }
}

/**
 * Keeps `store` in step with `source` as a subscriber (never inside the store's dispatch): the
 * prediction is written when it is created, its last event ID at most once per second, and the
 * entry is cleared when the prediction ends. Returns the function that stops it.
 */
export function persistForResume(
  source: SnapshotSource,
  store: ResumeStore,
  now: () => number,
): () => void {
  let previous = source.getSnapshot()
  let writtenAt = -Infinity
  return source.subscribe(() => {
    const next = source.getSnapshot()
    const before = previous
    previous = next
    const prediction = next.prediction
    if (!prediction) return
    if (isTerminalStatus(next.status)) {
      if (!isTerminalStatus(before.status)) store.clear()
      return
    }
    const at = now()
    const fresh = before.prediction?.id !== prediction.id
    if (fresh || (next.lastEventId !== before.lastEventId && at - writtenAt >= WRITE_INTERVAL_MS)) {
      writtenAt = at
      store.write({ id: prediction.id, urls: prediction.urls, lastEventId: next.lastEventId })
    }
  })
}
