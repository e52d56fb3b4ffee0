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
  /** The greatest ordered id applied, as its two numbers (`-1` for a plain integer's second). */
  #greatest: [number, number] | undefined
  readonly #others = new Set<string>()
  /** The id being checked, parsed in place: this runs for every event of a stream. */
  readonly #parsed: [number, number] = [0, -1]

  /** How many ids are held in memory: 1 for any number of ordered ones. */
  get remembered(): number {
    return this.#others.size + (this.#greatest ? 1 : 0)
  }

  /** Whether the event with this id was applied already. */
  has(id: string): boolean {
    if (parseOrdered(id, this.#parsed)) {
      return this.#greatest !== undefined && compare(this.#parsed, this.#greatest) <= 0
    }
    return this.#others.has(id)
  }

  /** Records that the event with this id was applied. */
  add(id: string): void {
    this.apply(id)
  }

  /**
   * Records the id and says whether it is new: `false` for an id applied already (a replay).
   * One parse of the id, and no allocation for an ordered one.
   */
  apply(id: string): boolean {
    if (parseOrdered(id, this.#parsed)) {
      if (this.#greatest && compare(this.#parsed, this.#greatest) <= 0) return false
      this.#greatest ??= [0, -1]
      this.#greatest[0] = this.#parsed[0]
      this.#greatest[1] = this.#parsed[1]
      return true
    }
    if (this.#others.has(id)) return false
    this.#others.add(id)
    return true
  }
}

/**
 * Parses `<seconds>:<sequence>` or a plain integer (at most 15 digits each) into `into`;
 * `false` for any other id.
 */
function parseOrdered(id: string, into: [number, number]): boolean {
  let value = 0
  let digits = 0
  let index = 0
  for (; index < id.length; index += 1) {
    const code = id.charCodeAt(index)
    if (code === 58) break
    if (code < 48 || code > 57 || ++digits > 15) return false
    value = value * 10 + (code - 48)
  }
  if (digits === 0) return false
  into[0] = value
  into[1] = -1
  if (index === id.length) return true
  value = 0
  digits = 0
  for (index += 1; index < id.length; index += 1) {
    const code = id.charCodeAt(index)
    if (code < 48 || code > 57 || ++digits > 15) return false
    value = value * 10 + (code - 48)
  }
  if (digits === 0) return false
  into[1] = value
  return true
}

function compare(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || a[1] - b[1]
}
