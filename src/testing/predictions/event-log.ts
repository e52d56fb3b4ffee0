/**
 * The events one prediction has published, retained for replay and `Last-Event-ID` resumption
 * (`docs/replicate-protocol.md` §2.5). Held as the types and the payload strings the prediction
 * already holds, plus one entry per second for the ids: an event retained costs no object and no
 * id string, so a server running 1,000 streams at 50 tokens/s does not promote 50,000 objects a
 * second to the old generation (a copy per scavenge, then longer pauses) just to keep them for a
 * client that may reconnect.
 */
import { EventIdClock, type PublishedEvent, type PublishedEventType } from './published-events'

/** The append-only event log of one prediction. */
export class EventLog {
  readonly #clock: EventIdClock
  readonly #types: PublishedEventType[] = []
  readonly #data: string[] = []
  /**
   * The ids, one entry per second rather than per event: an id's tag counts the events of its
   * second from 0 (§2.5), so event `i` of the second that starts at `#firstOfSecond[k]` has the id
   * `#seconds[k]:(i - #firstOfSecond[k])`.
   */
  readonly #firstOfSecond: number[] = []
  readonly #seconds: number[] = []

  /** @param now - clock in milliseconds, for the ids' seconds; injectable for tests. */
  constructor(now: () => number) {
    this.#clock = new EventIdClock(now)
  }

  /** How many events were published. */
  get length(): number {
    return this.#types.length
  }

  /** Appends an event with the next id; returns it as the object listeners receive. */
  append(event: PublishedEventType, data: string): PublishedEvent {
    const clock = this.#clock
    clock.next()
    if (clock.tag === 0) {
      this.#firstOfSecond.push(this.#types.length)
      this.#seconds.push(clock.second)
    }
    this.#types.push(event)
    this.#data.push(data)
    return { event, id: `${clock.second}:${clock.tag}`, data }
  }

  /**
   * The index of the event whose id is `id`, or `-1`: a binary search over the seconds (they
   * strictly increase), rather than a scan of the run.
   */
  indexOf(id: string): number {
    const colon = id.indexOf(':')
    const second = Number(id.slice(0, colon))
    const tag = Number(id.slice(colon + 1))
    if (colon === -1 || !Number.isInteger(second) || !Number.isInteger(tag) || tag < 0) return -1
    let low = 0
    let high = this.#seconds.length - 1
    while (low <= high) {
      const middle = (low + high) >>> 1
      const found = this.#seconds[middle]!
      if (found < second) low = middle + 1
      else if (found > second) high = middle - 1
      else {
        const index = this.#firstOfSecond[middle]! + tag
        const end = this.#firstOfSecond[middle + 1] ?? this.#types.length
        // Only the exact spelling matches, as when ids were compared as strings (`01:0` ≠ `1:0`).
        return index < end && id === `${second}:${tag}` ? index : -1
      }
    }
    return -1
  }

  /** The events from index `start` to the end, in order. */
  from(start: number): PublishedEvent[] {
    const events: PublishedEvent[] = []
    // The second that event `start` belongs to: the last one starting at or before it.
    let second = this.#firstOfSecond.length - 1
    while (second > 0 && this.#firstOfSecond[second]! > start) second -= 1
    for (let index = Math.max(0, start); index < this.#types.length; index++) {
      if (this.#firstOfSecond[second + 1] === index) second += 1
      events.push({
        event: this.#types[index]!,
        id: `${this.#seconds[second]}:${index - this.#firstOfSecond[second]!}`,
        data: this.#data[index]!,
      })
    }
    return events
  }
}
