import { PredictionFailedError, type PredictionStreamError } from './errors'
import { isTerminalStatus, type Prediction } from './prediction'
import type { ConnectionState, PredictionStreamMetrics, PredictionStreamSnapshot } from './types'

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
      attempt?: number
      transport?: 'stream' | 'polling'
    }
  | { type: 'event-received'; event: StreamEvent; at: number }
  | { type: 'error-raised'; error: PredictionStreamError; status?: 'failed'; at: number }

const noMetrics: PredictionStreamMetrics = Object.freeze({
  startedAt: null,
  firstOutputAt: null,
  lastOutputAt: null,
  completedAt: null,
  timeToFirstOutputMs: null,
  outputEventsPerSecond: null,
  outputEvents: 0,
  reconnects: 0,
})

export const initialSnapshot: PredictionStreamSnapshot = Object.freeze({
  status: 'idle',
  connection: 'idle',
  text: '',
  output: Object.freeze([]) as readonly string[],
  logs: '',
  error: null,
  prediction: null,
  lastEventId: null,
  attempt: 0,
  transport: null,
  metrics: noMetrics,
})

/** Pure reducer: never mutates `state`, returns `state` itself when nothing changes. */
export function reduce(state: PredictionStreamSnapshot, action: Action): PredictionStreamSnapshot {
  const next = transition(state, action)
  if (next === state || !('at' in action)) return next
  return withTiming(state, next, action.at)
}

function transition(state: PredictionStreamSnapshot, action: Action): PredictionStreamSnapshot {
  switch (action.type) {
    case 'start-requested':
      return {
        ...initialSnapshot,
        status: 'starting',
        connection: 'connecting',
        metrics: { ...noMetrics, startedAt: action.at },
      }
    case 'prediction-received':
      return applyPrediction(state, action.prediction)
    case 'connection-changed': {
      const attempt = action.attempt ?? state.attempt
      const transport = action.transport ?? state.transport
      if (
        state.connection === action.connection &&
        state.attempt === attempt &&
        state.transport === transport
      ) {
        return state
      }
      const reconnects =
        action.connection === 'reconnecting' && state.connection !== 'reconnecting'
          ? state.metrics.reconnects + 1
          : state.metrics.reconnects
      return {
        ...state,
        connection: action.connection,
        attempt,
        transport,
        metrics:
          reconnects === state.metrics.reconnects
            ? state.metrics
            : { ...state.metrics, reconnects },
      }
    }
    case 'event-received':
      return applyEvent(state, action.event)
    case 'error-raised':
      return { ...state, error: action.error, status: action.status ?? state.status }
  }
}

/** Output timing and completion time, from the clock value the action carries. */
function withTiming(
  previous: PredictionStreamSnapshot,
  next: PredictionStreamSnapshot,
  at: number,
): PredictionStreamSnapshot {
  let metrics = next.metrics
  if (next.output.length > previous.output.length) {
    const firstOutputAt = metrics.firstOutputAt ?? at
    const outputEvents = metrics.outputEvents + (next.output.length - previous.output.length)
    const seconds = (at - firstOutputAt) / 1000
    metrics = {
      ...metrics,
      firstOutputAt,
      lastOutputAt: at,
      outputEvents,
      timeToFirstOutputMs: metrics.startedAt === null ? null : firstOutputAt - metrics.startedAt,
      outputEventsPerSecond: outputEvents > 1 && seconds > 0 ? (outputEvents - 1) / seconds : null,
    }
  }
  if (isTerminalStatus(next.status) && !isTerminalStatus(previous.status)) {
    metrics = { ...metrics, completedAt: at }
  }
  return metrics === next.metrics ? next : { ...next, metrics }
}

function applyEvent(state: PredictionStreamSnapshot, event: StreamEvent): PredictionStreamSnapshot {
  // WHATWG §9.2.6: the last event ID is committed when an event is dispatched, whatever its type.
  const lastEventId = event.id ?? state.lastEventId
  const base = lastEventId === state.lastEventId ? state : { ...state, lastEventId }
  if (isTerminalStatus(state.status)) return base
  switch (event.event) {
    case 'output':
      // Replicate sends one item per `output` event, a delta: append verbatim (docs/design.md rule 2).
      return {
        ...base,
        status: 'processing',
        text: state.text + event.data,
        output: [...state.output, event.data],
        attempt: 0,
      }
    case 'logs':
      return { ...base, logs: state.logs + event.data, attempt: 0 }
    case 'error':
      return {
        ...base,
        status: 'failed',
        error: new PredictionFailedError(parseDetail(event.data)),
      }
    case 'done':
      return finish(base, parseReason(event.data))
    default:
      // Unknown types and unnamed `message` events carry nothing for us (docs/replicate-protocol.md C-32/C-33).
      return base
  }
}

function finish(
  state: PredictionStreamSnapshot,
  reason: string | undefined,
): PredictionStreamSnapshot {
  // Replicate streaming docs: `done` data `{}` → succeeded, `{"reason": "canceled"}`,
  // `{"reason": "error"}` → failed (normally after an `error` event that set the detail).
  if (reason === 'canceled') return { ...state, status: 'canceled' }
  if (reason === 'error') {
    return {
      ...state,
      status: 'failed',
      error: state.error ?? new PredictionFailedError('The prediction failed'),
    }
  }
  return { ...state, status: 'succeeded' }
}

function applyPrediction(
  state: PredictionStreamSnapshot,
  prediction: Prediction,
): PredictionStreamSnapshot {
  // A stream event may already have moved us past what a (slower) HTTP response says;
  // never step back from a terminal status.
  if (isTerminalStatus(state.status)) return { ...state, prediction }
  const next: PredictionStreamSnapshot = { ...state, prediction, status: prediction.status }
  if (!isTerminalStatus(prediction.status)) return next
  // A terminal prediction read by GET is the authority on output, but only when it holds at
  // least what we already received (output is null once data_removed): nothing received is lost.
  const items = stringItems(prediction.output)
  const withOutput =
    items && items.length >= state.output.length
      ? { ...next, output: items, text: items.join('') }
      : next
  if (prediction.status === 'failed' && !state.error) {
    const detail = typeof prediction.error === 'string' ? prediction.error : 'The prediction failed'
    return { ...withOutput, error: new PredictionFailedError(detail) }
  }
  return withOutput
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

/** `event: error` data is `{"detail": "…"}`; fall back to the raw text (docs/replicate-protocol.md C-8). */
function parseDetail(data: string): string {
  const detail = parseJsonObject(data)?.detail
  return typeof detail === 'string' ? detail : data
}

function parseReason(data: string): string | undefined {
  const reason = parseJsonObject(data)?.reason
  return typeof reason === 'string' ? reason : undefined
}
