import type { Prediction } from './prediction'
import type { StreamEvent } from './state'

/**
 * What one tab tells the others about a prediction's stream (shared-stream.ts), over a
 * BroadcastChannel: structured-cloned plain data, checked on arrival, since any script of the
 * origin may post to the channel.
 */
export type Message =
  /** Events the holder applied; `from` is the index of their first `output` item. */
  | { type: 'events'; from: number; events: StreamEvent[] }
  /** A prediction object the holder read (a poll, a reconcile). */
  | { type: 'prediction'; prediction: Prediction }
  /** A tab that holds `have` items asks the holder for the rest. */
  | { type: 'sync'; have: number }
  /** The holder is alive, even while its stream says nothing. */
  | { type: 'beat' }
  /** The holder lets go (its run ended or stopped): after anything it relayed, before its lock. */
  | { type: 'bye' }

/** Whether `data` is a {@link Message} this version understands. */
export function isMessage(data: unknown): data is Message {
  if (typeof data !== 'object' || data === null) return false
  const message = data as Partial<Record<string, unknown>>
  switch (message.type) {
    case 'events':
      return (
        typeof message.from === 'number' &&
        Array.isArray(message.events) &&
        message.events.every(isStreamEvent)
      )
    case 'prediction': {
      const prediction = message.prediction as Partial<Prediction> | null | undefined
      return typeof prediction?.id === 'string' && typeof prediction.status === 'string'
    }
    case 'sync':
      return typeof message.have === 'number'
    case 'beat':
    case 'bye':
      return true
    default:
      return false
  }
}

function isStreamEvent(value: unknown): value is StreamEvent {
  if (typeof value !== 'object' || value === null) return false
  const { event, id, data } = value as Partial<Record<keyof StreamEvent, unknown>>
  return (
    typeof data === 'string' &&
    (event === undefined || typeof event === 'string') &&
    (id === undefined || typeof id === 'string')
  )
}
