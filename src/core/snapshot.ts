import { itemsOf, outputListFrom, sameList, type OutputList } from './output-list'
import { isTerminalStatus } from './prediction'
import type { PredictionStreamMetrics, PredictionStreamSnapshot, StreamPhase } from './types'

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
        output = Object.freeze(itemsOf(list).slice(0, list.length))
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

/** `true` when two field sets would make the same snapshot. */
export function sameFields(a: SnapshotFields, b: SnapshotFields): boolean {
  for (const key of Object.keys(a) as (keyof SnapshotFields)[]) {
    if (key === 'outputList') {
      if (!sameList(a.outputList, b.outputList)) return false
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
    outputList: outputListFrom([]),
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
    outputList: outputListFrom([], true),
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
