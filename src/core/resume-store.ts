import { isTerminalStatus, type PredictionUrls } from './prediction'
import { itemsOf } from './output-list'
import { outputListOf } from './snapshot'
import type { Action } from './state'
import type {
  PredictionStreamSnapshot,
  Resume,
  ResumeOptions,
  ResumeStorage,
  SnapshotSource,
  Timers,
} from './types'

/** What is remembered about a running prediction. */
export interface StoredPrediction {
  /** The prediction's id, as the endpoint returned it. */
  id: string
  /** Its `urls`, so the stream can be reopened without a `GET` first. */
  urls: PredictionUrls
  /**
   * The id of the last event applied, sent as `Last-Event-ID` on resume; `null` before any, and
   * when `output` did not fit in storage (the stream is then replayed from its first event).
   */
  lastEventId: string | null
  /** The `output` items applied up to `lastEventId`, painted again before any request. */
  output?: readonly string[]
  /** The text, stored only when it is not `output` joined (outputs that are not text). */
  text?: string
}

const PREFIX = 'react-prediction-stream:'

/** How often, at most, the running prediction is written to storage (ms). */
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
      const lastEventId = typeof value.lastEventId === 'string' ? value.lastEventId : null
      const output = stringList(value.output)
      // The items and the id go together: an id without its items would skip them for good.
      if (!output || lastEventId === null)
        return { id: value.id, urls: value.urls, lastEventId: null }
      const text = typeof value.text === 'string' ? { text: value.text } : {}
      return { id: value.id, urls: value.urls, lastEventId, output, ...text }
    } catch {
      return undefined
    }
  }

  /** Writes `value`; `false` when storage refused it (a full quota, say). Never throws. */
  write(value: StoredPrediction): boolean {
    try {
      this.#storage?.setItem(this.#key, JSON.stringify(value))
      return true
    } catch {
      return false
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

/** What a {@link PredictionStream} does with its `resume` option (see {@link resumeAfterReload}). */
export interface ResumeHooks extends Resume {
  /** Keeps storage in step with the stream's snapshots; returns the function that stops it. */
  persist(source: SnapshotSource, timers: Timers, now: () => number): () => void
  /**
   * The remembered prediction, and how a reloaded page's run starts from it (see
   * {@link resumedRun}), or `undefined` when nothing is remembered.
   */
  read(at: number): { id: string; start?: ReturnType<typeof resumedRun> } | undefined
}

/**
 * The value of the `resume` option: remember the running prediction (id, urls, its `output`
 * items, text and last event ID) under `options.key`, written at most once per second, so that
 * after a reload `resume()` (the hook: on mount) shows the text at once and reopens the stream
 * from that last event ID instead of creating a new prediction. A function of its own, so that
 * apps that never resume never bundle this code.
 *
 * @param options - `key` names the stream across reloads (the entry is
 * `"react-prediction-stream:" + key`); `storage` is where it is kept, `sessionStorage` by default
 * (nothing is kept where there is none, and a storage that throws only loses the ability to
 * resume).
 * @returns The value to pass as `resume`. Never throws.
 *
 * @example
 * ```ts
 * usePredictionStream({ endpoint, model, resume: resumeAfterReload({ key: 'haiku' }) })
 * ```
 */
export function resumeAfterReload(options: ResumeOptions): Resume {
  const store = new ResumeStore(options)
  const hooks: ResumeHooks = {
    kind: 'resume',
    persist: (source, timers, now) => persistForResume(source, store, timers, now),
    read: (at) => {
      const stored = store.read()
      return stored && { id: stored.id, start: resumedRun(stored, at) }
    },
  }
  return hooks
}

/**
 * How a reloaded page's run starts from `stored`: the `resumed` action that shows its items at
 * once, and what the run's intake is seeded with (so the stream resumes after them). `undefined`
 * when only the prediction was stored: the stream is then replayed from its first event.
 */
export function resumedRun(
  stored: StoredPrediction,
  at: number,
): { action: Action; seed: { lastEventId: string; outputCount: number } } | undefined {
  const { output, lastEventId } = stored
  if (!output || lastEventId === null) return undefined
  // `text` is stored only when it is not the items joined: items that are not text.
  const outputKind = output.length === 0 ? null : stored.text === undefined ? 'text' : 'items'
  const text = stored.text ?? output.join('')
  return {
    action: { type: 'resumed', output, text, outputKind, lastEventId, at },
    seed: { lastEventId, outputCount: output.length },
  }
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined
  return value.every((item) => typeof item === 'string') ? (value as string[]) : undefined
}

function defaultStorage(): ResumeStorage | undefined {
  try {
    return (globalThis as { sessionStorage?: ResumeStorage }).sessionStorage
  } catch {
    // Reading sessionStorage itself throws where storage is disabled.
    return undefined
  }
}

/** The record of a running snapshot: its prediction, items and last event ID, compactly. */
function recordOf(snapshot: PredictionStreamSnapshot, withOutput: boolean): StoredPrediction {
  const { id, urls } = snapshot.prediction!
  if (!withOutput) return { id, urls, lastEventId: null }
  // The run's own list, not `snapshot.output`, which would copy every item on each write.
  const list = outputListOf(snapshot)
  const items = itemsOf(list)
  const output = items.length === list.length ? items : items.slice(0, list.length)
  const joined = output.join('')
  const text = snapshot.text === joined ? {} : { text: snapshot.text }
  return { id, urls, lastEventId: snapshot.lastEventId, output, ...text }
}

/**
 * Keeps `store` in step with `source` as a subscriber (never inside the store's dispatch): the
 * prediction is written when it is created, then its items and last event ID at most once per
 * second (the latest change always gets written, by a timer, within a second, and at once when
 * the stream disconnects), and the entry is cleared when the prediction ends. A reloaded page
 * paints those items before any request and asks only for the events after them.
 *
 * Storage is small (about 5 MB per origin for `sessionStorage`): when the items do not fit, only
 * the prediction is kept, so a reload still re-attaches and replays the stream from its start.
 * Returns the function that stops it.
 */
export function persistForResume(
  source: SnapshotSource,
  store: ResumeStore,
  timers: Timers,
  now: () => number,
): () => void {
  let previous = source.getSnapshot()
  let writtenAt = -Infinity
  let timer: unknown
  let dirty = false
  /** The items of this prediction did not fit once: stop trying until the next one. */
  let tooLarge = false
  const cancel = () => {
    if (timer !== undefined) timers.clearTimeout(timer)
    timer = undefined
  }
  const write = () => {
    cancel()
    dirty = false
    const snapshot = source.getSnapshot()
    if (!snapshot.prediction || isTerminalStatus(snapshot.status)) return
    writtenAt = now()
    if (!tooLarge && store.write(recordOf(snapshot, true))) return
    tooLarge = true
    store.write(recordOf(snapshot, false))
  }
  const unsubscribe = source.subscribe(() => {
    const next = source.getSnapshot()
    const before = previous
    previous = next
    if (!next.prediction) return
    if (isTerminalStatus(next.status)) {
      cancel()
      if (!isTerminalStatus(before.status)) store.clear()
      return
    }
    if (before.prediction?.id !== next.prediction.id) {
      tooLarge = false
      return write()
    }
    const grew = outputListOf(next).length !== outputListOf(before).length
    if (grew || next.lastEventId !== before.lastEventId || next.text !== before.text) dirty = true
    if (!dirty) return
    const wait = writtenAt + WRITE_INTERVAL_MS - now()
    if (wait <= 0 || next.connection === 'closed') write()
    else timer ??= timers.setTimeout(write, wait)
  })
  return () => {
    cancel()
    unsubscribe()
  }
}
