import { isTerminalStatus } from './prediction'
import type { PredictionStreamMetrics, PredictionStreamSnapshot, StreamPhase } from './types'

/**
 * The `output` items of one run, append-only: every snapshot of the run shares `items` and
 * records its own `length`, so appending an item costs O(1) and copies nothing, while each
 * snapshot still shows exactly the items it had (the shared array only grows past them).
 */
export interface OutputList {
  readonly items: string[]
  readonly length: number
  /** Items ever copied for this run's lists, by a fork or by materialising `output`. */
  readonly stats: { copiedItems: number }
  /**
   * Made during the action being reduced and not yet in any snapshot: further appends of the
   * same action may extend it in place instead of allocating a list per event.
   */
  draft?: boolean
}

/**
 * Everything a snapshot holds, with its output as an {@link OutputList}: the reducer's draft,
 * writable while one action is applied.
 */
export type SnapshotFields = {
  -readonly [
    K in Exclude<keyof PredictionStreamSnapshot, 'output' | 'phase'>
  ]: PredictionStreamSnapshot[K]
} & { outputList: OutputList }

const LIST = Symbol('outputList')

/**
 * A snapshot of `fields`. Its `output` array is materialised on first read and cached: the
 * reducer never copies the items, so following a 100k-event stream stays O(1) per event, and a
 * reader pays for the copy only when it reads `output` (once per snapshot).
 */
export function createSnapshot(fields: SnapshotFields): PredictionStreamSnapshot {
  const list = fields.outputList
  // From now on a snapshot shows this list: it must never change under it.
  list.draft = false
  let output: readonly string[] | undefined
  const snapshot: PredictionStreamSnapshot = {
    status: fields.status,
    phase: phaseOf(fields),
    connection: fields.connection,
    text: fields.text,
    textRevision: fields.textRevision,
    outputKind: fields.outputKind,
    get output() {
      if (output === undefined) {
        list.stats.copiedItems += list.length
        output = Object.freeze(list.items.slice(0, list.length))
      }
      return output
    },
    logs: fields.logs,
    error: fields.error,
    prediction: fields.prediction,
    lastEventId: fields.lastEventId,
    attempt: fields.attempt,
    transport: fields.transport,
    streamError: fields.streamError,
    metrics: fields.metrics,
  }
  Object.defineProperty(snapshot, LIST, { value: list })
  return snapshot
}

/** The output list behind a snapshot (a snapshot made elsewhere is read through `output`). */
export function outputListOf(snapshot: PredictionStreamSnapshot): OutputList {
  const list = (snapshot as { [LIST]?: OutputList })[LIST]
  return list ?? outputListFrom(snapshot.output)
}

/** A copy of a snapshot's fields, to build the next one from. */
export function fieldsOf(snapshot: PredictionStreamSnapshot): SnapshotFields {
  return {
    status: snapshot.status,
    connection: snapshot.connection,
    text: snapshot.text,
    textRevision: snapshot.textRevision,
    outputList: outputListOf(snapshot),
    outputKind: snapshot.outputKind,
    logs: snapshot.logs,
    error: snapshot.error,
    prediction: snapshot.prediction,
    lastEventId: snapshot.lastEventId,
    attempt: snapshot.attempt,
    transport: snapshot.transport,
    streamError: snapshot.streamError,
    metrics: snapshot.metrics,
  }
}

/** A new list holding `items` (copied, so the caller's array is never appended to). */
export function outputListFrom(items: readonly string[]): OutputList {
  return { items: items.slice(), length: items.length, stats: { copiedItems: items.length } }
}

/**
 * `list` with `item` appended: in place when `list` is the newest view of its items (the only
 * case while a run streams), else on a copy, so an older snapshot is never changed.
 */
export function appendOutput(list: OutputList, item: string): OutputList {
  if (list.items.length !== list.length) return appendToCopy(list, item)
  // A draft's items were checked when it was made: the common case, once per event, skips that.
  if (list.draft) {
    list.items.push(item)
    ;(list as { length: number }).length += 1
    return list
  }
  // The initial snapshot's items are frozen: appending to it (a reducer test may) must fork.
  if (!Object.isFrozen(list.items)) {
    list.items.push(item)
    return { items: list.items, length: list.length + 1, stats: list.stats, draft: true }
  }
  return appendToCopy(list, item)
}

function appendToCopy(list: OutputList, item: string): OutputList {
  list.stats.copiedItems += list.length
  const items = list.items.slice(0, list.length)
  items.push(item)
  return { items, length: items.length, stats: list.stats, draft: true }
}

/** `true` when two field sets would make the same snapshot. */
export function sameFields(a: SnapshotFields, b: SnapshotFields): boolean {
  for (const key of Object.keys(a) as (keyof SnapshotFields)[]) {
    if (key === 'outputList') {
      if (a.outputList.items !== b.outputList.items || a.outputList.length !== b.outputList.length)
        return false
    } else if (a[key] !== b[key]) return false
  }
  return true
}

export const noMetrics: PredictionStreamMetrics = Object.freeze({
  startedAt: null,
  firstOutputAt: null,
  lastOutputAt: null,
  completedAt: null,
  timeToFirstOutputMs: null,
  outputEventsPerSecond: null,
  outputEvents: 0,
  reconnects: 0,
  createMs: null,
  processingAt: null,
  queueMs: null,
  generationMs: null,
  stalledMs: 0,
  stalledSince: null,
  tokensPerSecond: null,
})

/** The fields of a stream before any `start()`. */
export function initialFields(): SnapshotFields {
  return {
    status: 'idle',
    connection: 'idle',
    text: '',
    textRevision: 0,
    outputKind: null,
    outputList: { items: [], length: 0, stats: { copiedItems: 0 } },
    logs: '',
    error: null,
    prediction: null,
    lastEventId: null,
    attempt: 0,
    transport: null,
    streamError: null,
    metrics: noMetrics,
  }
}

/** The snapshot before any `start()`: what a server render shows. */
export const initialSnapshot: PredictionStreamSnapshot = Object.freeze(
  createSnapshot({
    ...initialFields(),
    outputList: {
      items: Object.freeze([]) as unknown as string[],
      length: 0,
      stats: { copiedItems: 0 },
    },
  }),
)

/**
 * Where a run is, in the words users ask about, derived from the snapshot's other fields:
 * Replicate's `starting` covers both waiting in the queue and booting the model (whose setup
 * logs arrive while it starts), `processing` is generating, and a running prediction whose
 * stream is being restored is stalled.
 */
export function phaseOf(fields: SnapshotFields): StreamPhase {
  if (fields.status === 'idle') return 'idle'
  if (isTerminalStatus(fields.status)) return 'done'
  if (fields.connection === 'reconnecting') return 'stalled'
  if (fields.status === 'processing') return 'generating'
  return fields.logs === '' ? 'queued' : 'booting'
}
