import type { PredictionUrls } from './prediction'

/** The part of the Web Storage API a resume store needs; `sessionStorage` by default. */
export interface ResumeStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** The `resume` option: where to remember the running prediction across a reload. */
export interface ResumeOptions {
  /** Names this stream across reloads (for example the chat thread's id). */
  key: string
  /**
   * Where to keep it.
   * @defaultValue `globalThis.sessionStorage` (nothing is kept where there is none)
   */
  storage?: ResumeStorage
}

/** What is remembered about a running prediction. */
export interface StoredPrediction {
  id: string
  urls: PredictionUrls
  lastEventId: string | null
}

const PREFIX = 'react-prediction-stream:'

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
