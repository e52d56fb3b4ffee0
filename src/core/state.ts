import { PredictionFailedError, type PredictionStreamError } from './errors'
import { isTerminalStatus, type Prediction } from './prediction'
import {
  appendOutput,
  createSnapshot,
  fieldsOf,
  initialFields,
  noMetrics,
  outputListFrom,
  sameFields,
  type SnapshotFields,
} from './snapshot'
import type { ConnectionState, PredictionStreamSnapshot, Transport } from './types'

export { initialSnapshot } from './snapshot'

/** One dispatched server-sent event, as the parser hands it over. */
export interface StreamEvent {
  event: string | undefined
  id: string | undefined
  data: string
}

/** Everything that can happen to a stream. Pure data, applied by {@link reduce}. */
export type Action =
  | { type: 'start-requested'; at: number }
  | { type: 'prediction-received'; prediction: Prediction; at: number }
  | {
      type: 'connection-changed'
      connection: ConnectionState
      attempt?: number | undefined
      transport?: Transport | undefined
    }
  | { type: 'event-received'; event: StreamEvent; at: number }
  /** The events of one network chunk, applied as one change (one snapshot, one notification). */
  | { type: 'events-received'; events: readonly StreamEvent[]; at: number }
  | { type: 'error-raised'; error: PredictionStreamError; status?: 'failed'; at: number }

/**
 * Pure reducer: never changes `state` as its readers see it, and returns `state` itself when
 * nothing changes. O(1) per event: output items are appended to the run's shared list, never
 * copied (see `snapshot.ts`).
 */
export function reduce(state: PredictionStreamSnapshot, action: Action): PredictionStreamSnapshot {
  if (action.type === 'start-requested') {
    return createSnapshot({
      ...initialFields(),
      status: 'starting',
      connection: 'connecting',
      metrics: { ...noMetrics, startedAt: action.at },
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
    case 'events-received':
      for (const event of action.events) applyEvent(next, event)
      break
    case 'error-raised':
      next.error = action.error
      next.status = action.status ?? next.status
      break
  }
  if ('at' in action) applyTiming(before, next, action.at)
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

/** Output timing and completion time, from the clock value the action carries. */
function applyTiming(before: SnapshotFields, next: SnapshotFields, at: number): void {
  const added = next.outputList.length - before.outputList.length
  if (added > 0) {
    const metrics = next.metrics
    const firstOutputAt = metrics.firstOutputAt ?? at
    const outputEvents = metrics.outputEvents + added
    const seconds = (at - firstOutputAt) / 1000
    next.metrics = {
      ...metrics,
      firstOutputAt,
      lastOutputAt: at,
      outputEvents,
      timeToFirstOutputMs: metrics.startedAt === null ? null : firstOutputAt - metrics.startedAt,
      outputEventsPerSecond: outputEvents > 1 && seconds > 0 ? (outputEvents - 1) / seconds : null,
    }
  }
  if (isTerminalStatus(next.status) && !isTerminalStatus(before.status)) {
    next.metrics = { ...next.metrics, completedAt: at }
  }
}

function applyEvent(next: SnapshotFields, event: StreamEvent): void {
  // WHATWG §9.2.6: the last event ID is committed when an event is dispatched, whatever its type.
  next.lastEventId = event.id ?? next.lastEventId
  if (isTerminalStatus(next.status)) return
  switch (event.event) {
    case 'output':
      // Replicate sends one item per `output` event, a delta: append verbatim
      // (docs/design.md rule 2).
      next.status = 'processing'
      next.text += event.data
      next.outputList = appendOutput(next.outputList, event.data)
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
  // A stream event may already have moved us past what a (slower) HTTP response says;
  // never step back from a terminal status.
  if (isTerminalStatus(next.status)) return
  next.status = prediction.status
  if (!isTerminalStatus(prediction.status)) return
  // A terminal prediction read by GET is the authority on output, but only when it holds at
  // least what we already received (output is null once data_removed): nothing received is lost.
  const items = stringItems(prediction.output)
  if (items && items.length >= next.outputList.length) {
    next.outputList = outputListFrom(items)
    next.text = items.join('')
  }
  if (prediction.status === 'failed' && !next.error) {
    const detail = typeof prediction.error === 'string' ? prediction.error : 'The prediction failed'
    next.error = new PredictionFailedError(detail)
  }
}

function stringItems(output: unknown): string[] | undefined {
  if (!Array.isArray(output)) return undefined
  return output.every((item) => typeof item === 'string') ? output : undefined
}

function parseJsonObject(data: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data)
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * `event: error` data is `{"detail": "…"}`; fall back to the raw text
 * (docs/replicate-protocol.md C-8).
 */
function parseDetail(data: string): string {
  const detail = parseJsonObject(data)?.detail
  return typeof detail === 'string' ? detail : data
}

function parseReason(data: string): string | undefined {
  const reason = parseJsonObject(data)?.reason
  return typeof reason === 'string' ? reason : undefined
}
