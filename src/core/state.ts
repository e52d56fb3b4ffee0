import { PredictionFailedError, type PredictionStreamError } from './errors'
import { parseDetail, parseReason } from './event-data'
import { fileOutputOf } from './file-output'
import { isTerminalStatus, type Prediction } from './prediction'
import { appendOutput, appendTextItems, outputListFrom } from './output-list'
import {
  createSnapshot,
  fieldsOf,
  initialFields,
  noMetrics,
  sameFields,
  type SnapshotFields,
} from './snapshot'
import { applyTiming } from './timing'
import type { ConnectionState, OutputKind, PredictionStreamSnapshot, Transport } from './types'

export { initialSnapshot } from './snapshot'

/** One dispatched server-sent event, as the parser hands it over. */
export interface StreamEvent {
  event: string | undefined
  id: string | undefined
  data: string
}

/** Everything that can happen to a stream. Pure data, applied by {@link reduce}. */
export type Action =
  | {
      type: 'start-requested'
      at: number
      /** What the items will be; `'auto'` (or absent) decides at the first item. */
      outputKind?: 'auto' | OutputKind | undefined
    }
  | { type: 'prediction-received'; prediction: Prediction; at: number }
  | {
      type: 'connection-changed'
      connection: ConnectionState
      attempt?: number | undefined
      transport?: Transport | undefined
      /** When it changed, for the time spent stalled (`metrics.stalledMs`). */
      at?: number | undefined
    }
  | { type: 'event-received'; event: StreamEvent; at: number }
  /** The events of one network chunk, applied as one change (one snapshot, one notification). */
  | { type: 'events-received'; events: readonly StreamEvent[]; at: number }
  | { type: 'error-raised'; error: PredictionStreamError; status?: 'failed'; at: number }
  /**
   * A run starts from what a reloaded page had (the `resume` option): its items, text and last
   * event ID, shown before any request is answered.
   */
  | {
      type: 'resumed'
      output: readonly string[]
      text: string
      outputKind: OutputKind | null
      lastEventId: string
      at: number
    }
  /** The stream is given up for polling, for this reason. */
  | { type: 'stream-abandoned'; error: PredictionStreamError }

/**
 * Pure reducer: never changes `state` as its readers see it, and returns `state` itself when
 * nothing changes. O(1) per event: output items are appended to the run's shared list, never
 * copied (see `snapshot.ts`).
 */
export function reduce(state: PredictionStreamSnapshot, action: Action): PredictionStreamSnapshot {
  if (action.type === 'start-requested' || action.type === 'resumed') {
    const restored =
      action.type === 'resumed'
        ? {
            status: 'processing' as const,
            text: action.text,
            outputList: outputListFrom(action.output),
            outputKind: action.outputKind,
            lastEventId: action.lastEventId,
          }
        : {}
    return createSnapshot({
      ...initialFields(),
      textRevision: state.textRevision + 1,
      outputKind:
        action.type === 'start-requested' && action.outputKind !== 'auto'
          ? (action.outputKind ?? null)
          : null,
      status: 'starting',
      connection: 'connecting',
      metrics: { ...noMetrics, startedAt: action.at },
      ...restored,
    })
  }
  const before = fieldsOf(state)
  const next = { ...before }
  switch (action.type) {
    case 'prediction-received':
      applyPrediction(next, action.prediction)
      break
    case 'connection-changed':
      applyConnection(next, action.connection, action.attempt, action.transport)
      break
    case 'event-received':
      applyEvent(next, action.event)
      break
    case 'events-received': {
      // The chunk's text items are joined once: the text grows by one flat string per chunk, and
      // the output list keeps that string and where each item ends (output-list.ts), instead of
      // a rope node and a string per token that would live as long as the run.
      const batch: TextBatch = { parts: [], ends: [], length: 0 }
      for (const event of action.events) applyEvent(next, event, batch)
      if (batch.parts.length > 0) {
        const text = batch.parts.join('')
        next.text += text
        next.outputList = appendTextItems(next.outputList, text, batch.ends)
      }
      break
    }
    case 'stream-abandoned':
      next.streamError = action.error
      break
    case 'error-raised':
      next.error = action.error
      next.status = action.status ?? next.status
      break
  }
  if ('at' in action && action.at !== undefined) applyTiming(before, next, action.at)
  return sameFields(before, next) ? state : createSnapshot(next)
}

function applyConnection(
  next: SnapshotFields,
  connection: ConnectionState,
  attempt: number | undefined,
  transport: Transport | undefined,
): void {
  if (connection === 'reconnecting' && next.connection !== 'reconnecting') {
    next.metrics = { ...next.metrics, reconnects: next.metrics.reconnects + 1 }
  }
  next.connection = connection
  next.attempt = attempt ?? next.attempt
  next.transport = transport ?? next.transport
}

/** Text items of one chunk, collected to be appended at once. */
interface TextBatch {
  parts: string[]
  /** Where each item ends in `parts.join('')`. */
  ends: number[]
  length: number
}

/** `batch`, when given, collects text items instead of appending each here. */
function applyEvent(next: SnapshotFields, event: StreamEvent, batch?: TextBatch): void {
  // WHATWG §9.2.6: the last event ID is committed when an event is dispatched, whatever its type.
  next.lastEventId = event.id ?? next.lastEventId
  if (isTerminalStatus(next.status)) return
  switch (event.event) {
    case 'output':
      // Replicate sends one item per `output` event, a delta: append verbatim
      // (docs/design.md rule 2), unless the items are files or other values, not text.
      next.outputKind ??= itemKind(event.data)
      next.status = 'processing'
      if (next.outputKind === 'text' && batch) {
        batch.parts.push(event.data)
        batch.length += event.data.length
        batch.ends.push(batch.length)
      } else {
        if (next.outputKind === 'text') next.text += event.data
        next.outputList = appendOutput(next.outputList, event.data)
      }
      next.attempt = 0
      return
    case 'logs':
      next.logs += event.data
      next.attempt = 0
      return
    case 'error':
      next.status = 'failed'
      next.error = new PredictionFailedError(parseDetail(event.data))
      return
    case 'done':
      return finish(next, parseReason(event.data))
    default:
    // Unknown types and unnamed `message` events carry nothing for us
    // (docs/replicate-protocol.md C-32/C-33).
  }
}

function finish(next: SnapshotFields, reason: string | undefined): void {
  // Replicate streaming docs: `done` data `{}` → succeeded, `{"reason": "canceled"}`,
  // `{"reason": "error"}` → failed (normally after an `error` event that set the detail).
  if (reason === 'canceled') next.status = 'canceled'
  else if (reason === 'error') {
    next.status = 'failed'
    next.error ??= new PredictionFailedError('The prediction failed')
  } else next.status = 'succeeded'
}

function applyPrediction(next: SnapshotFields, prediction: Prediction): void {
  next.prediction = prediction
  // Replicate streams text on `/v1/streams/` and file outputs on `/v1/files/`, and the path is
  // what tells them apart (docs/replicate-protocol.md §1.2); without a stream, the first item.
  const stream = prediction.urls?.stream
  if (stream && next.outputKind === null) {
    next.outputKind = /\/v1\/files\//.test(stream) ? 'items' : 'text'
  }
  // A stream event may already have moved us past what a (slower) HTTP response says;
  // never step back from a terminal status.
  if (isTerminalStatus(next.status)) return
  next.status = prediction.status
  if (!isTerminalStatus(prediction.status)) return
  // A terminal prediction read by GET is the authority on output, but only when it holds at
  // least what we already received (output is null once data_removed): nothing received is lost.
  const items = stringItems(prediction.output)
  if (items && items.length >= next.outputList.length) {
    next.outputKind ??= items[0] === undefined ? 'text' : itemKind(items[0])
    const text = next.outputKind === 'text' ? items.join('') : ''
    // Usually the same text, or more of it; anything else is a change a renderer must redraw.
    if (!text.startsWith(next.text)) next.textRevision += 1
    next.outputList = outputListFrom(items)
    next.text = text
  }
  if (prediction.status === 'failed' && !next.error) {
    const detail = typeof prediction.error === 'string' ? prediction.error : 'The prediction failed'
    next.error = new PredictionFailedError(detail)
  }
}

/** Without a stream URL to tell: an item that is a whole URL or `data:` URI is a file. */
function itemKind(item: string): OutputKind {
  return fileOutputOf(item) ? 'items' : 'text'
}

function stringItems(output: unknown): string[] | undefined {
  if (!Array.isArray(output)) return undefined
  return output.every((item) => typeof item === 'string') ? output : undefined
}
