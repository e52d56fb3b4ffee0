import { AppliedEventIds } from './event-ids'
import type { StreamEvent } from './state'

/** An event as the parser hands it over. */
export interface ParsedEvent {
  event?: string | undefined
  id?: string | undefined
  data: string
}

/**
 * What a run has taken in from its stream (and its polls): the events of the current network
 * chunk waiting to be applied as one action, the last event ID to resume from, how many output
 * items it has, and which event ids it applied already. The run's own memory: it never reads
 * these back from the snapshot.
 */
export class EventIntake {
  readonly #appliedIds = new AppliedEventIds()
  #pending: StreamEvent[] = []
  /** A terminal event (`done`, `error`) is pending: later events of its chunk are ignored. */
  #ending = false
  #lastEventId: string | null = null
  #outputCount = 0

  /** Sent as `Last-Event-ID` when the stream reconnects. */
  get lastEventId(): string | null {
    return this.#lastEventId
  }

  /** Whether a terminal event was taken in: the run ends once it is applied. */
  get ending(): boolean {
    return this.#ending
  }

  /** How many `output` items the run holds (taken in, restored or polled). */
  get outputCount(): number {
    return this.#outputCount
  }

  /**
   * Starts from what a previous page (or the tab that held the connection) already applied:
   * `outputCount` items up to the event `lastEventId`. That id is sent as `Last-Event-ID`, and is
   * remembered as applied, so a server that does not know it and replays from the first event
   * has the replayed events dropped up to it (ids are ordered on Replicate,
   * docs/replicate-protocol.md §2.5; see `AppliedEventIds`).
   */
  seed(lastEventId: string | null, outputCount: number): void {
    this.#outputCount = outputCount
    if (lastEventId === null || lastEventId.includes('\0')) return
    this.#lastEventId = lastEventId
    if (lastEventId) this.#appliedIds.add(lastEventId)
  }

  /** Takes one event into the chunk's batch; `true` when it was progress (output or logs). */
  receive(message: ParsedEvent): boolean {
    if (this.#ending) return false
    // eventsource-parser leaves `id` undefined when the event had no id line. An id with NUL
    // is ignored (WHATWG HTML §9.2.6).
    const id = message.id !== undefined && !message.id.includes('\0') ? message.id : undefined
    if (id) {
      // The server replays from the first event when it does not know our Last-Event-ID:
      // an event already applied must not be applied twice (docs/replicate-protocol.md E-4).
      if (!this.#appliedIds.apply(id)) return false
    }
    // An empty id resets the last event ID (WHATWG HTML §9.2.6), as the reducer records it.
    if (id !== undefined) this.#lastEventId = id
    // The parser's own record when it is already what the reducer needs: no copy per event.
    const event: StreamEvent =
      message.id === id && 'event' in message
        ? (message as StreamEvent)
        : { event: message.event, id, data: message.data }
    if (event.event === 'output') this.#outputCount += 1
    this.#pending.push(event)
    // `done` does not close Replicate's stream (its idle timeout does), and `error` ends the
    // prediction: the run closes once its chunk is applied (docs/design.md rule 3).
    if (event.event === 'done' || event.event === 'error') this.#ending = true
    return event.event === 'output' || event.event === 'logs'
  }

  /**
   * Takes in a block with an `id` and no data: no event, but the last event ID moves to it
   * (WHATWG HTML §9.2.6), in its place among the chunk's events. An id already applied (a
   * replay) is ignored, like a replayed event.
   */
  receiveLastEventId(id: string): void {
    if (this.#ending || (id && !this.#appliedIds.apply(id))) return
    this.#lastEventId = id
    // An unnamed, empty event record: the reducer commits its id and applies nothing else.
    this.#pending.push({ event: undefined, id, data: '' })
  }

  /**
   * Takes in events relayed by the tab that holds the connection (`shared-stream.ts`), whose
   * first `output` item is item `from` of the stream: items this run already holds are skipped
   * by position (items read by `GET` carry no id), the rest go through {@link receive}.
   */
  receiveRelayed(from: number, events: readonly ParsedEvent[]): void {
    let index = from
    for (const event of events) {
      if (event.event === 'output' && index++ < this.#outputCount) continue
      this.receive(event)
    }
  }

  /** The events waiting to be applied, handed over once. */
  take(): StreamEvent[] {
    const events = this.#pending
    this.#pending = []
    return events
  }

  /**
   * A polled prediction's `output`, as `output` events for the items not yet received
   * (Replicate's clients do the same: new items are `output[len(previous):]`).
   */
  polledOutputs(output: unknown): StreamEvent[] {
    if (!Array.isArray(output)) return []
    const events: StreamEvent[] = []
    for (const item of output.slice(this.#outputCount)) {
      if (typeof item !== 'string') break
      events.push({ event: 'output', id: undefined, data: item })
    }
    this.#outputCount += events.length
    return events
  }
}
