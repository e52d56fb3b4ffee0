/**
 * The ids of the events a run has applied, so a replay is not applied twice: Replicate's stream
 * replays from its first event when it does not know the `Last-Event-ID`
 * (docs/replicate-protocol.md E-4).
 *
 * Replicate's ids are ordered (`<unix seconds>:<sequence>`, or plain integers in many servers):
 * while every id has that form and each new one is greater, remembering the greatest is enough,
 * so memory stays O(1) at any stream length. An id of any other form, or one out of order, is
 * remembered in a set (WHATWG ids are opaque strings, so a server may send anything).
 */
export class AppliedEventIds {
  #greatest: OrderedId | undefined
  readonly #others = new Set<string>()

  /** How many ids are held in memory: 1 for any number of ordered ones. */
  get remembered(): number {
    return this.#others.size + (this.#greatest ? 1 : 0)
  }

  /** Whether the event with this id was applied already. */
  has(id: string): boolean {
    const key = orderedId(id)
    if (key && this.#greatest && compare(key, this.#greatest) <= 0) return true
    return this.#others.has(id)
  }

  /** Records that the event with this id was applied. */
  add(id: string): void {
    this.apply(id)
  }

  /**
   * Records the id and says whether it is new: `false` for an id applied already (a replay).
   * One parse of the id per event, as this runs for every event of a stream.
   */
  apply(id: string): boolean {
    const key = orderedId(id)
    if (key) {
      if (this.#greatest && compare(key, this.#greatest) <= 0) return false
      this.#greatest = key
      return true
    }
    if (this.#others.has(id)) return false
    this.#others.add(id)
    return true
  }
}

/** `<seconds>:<sequence>` or a plain integer, as two numbers (the sequence -1 when absent). */
type OrderedId = readonly [number, number]

function orderedId(id: string): OrderedId | undefined {
  const colon = id.indexOf(':')
  const first = colon === -1 ? id : id.slice(0, colon)
  const second = colon === -1 ? '' : id.slice(colon + 1)
  if (!isDigits(first) || (colon !== -1 && !isDigits(second))) return undefined
  return [Number(first), colon === -1 ? -1 : Number(second)]
}

function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index)
    if (code < 48 || code > 57) return false
  }
  return true
}

function compare(a: OrderedId, b: OrderedId): number {
  return a[0] - b[0] || a[1] - b[1]
}
