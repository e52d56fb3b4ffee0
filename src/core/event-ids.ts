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
  #greatest: readonly number[] | undefined
  readonly #others = new Set<string>()

  /** How many ids are held in memory: 1 for any number of ordered ids. */
  get remembered(): number {
    return this.#others.size + (this.#greatest ? 1 : 0)
  }

  /** Whether the event with this id was applied already. */
  has(id: string): boolean {
    const key = orderedKey(id)
    if (key && this.#greatest && compare(key, this.#greatest) <= 0) return true
    return this.#others.has(id)
  }

  /** Records that the event with this id was applied. */
  add(id: string): void {
    const key = orderedKey(id)
    if (key && (!this.#greatest || compare(key, this.#greatest) > 0)) {
      this.#greatest = key
      return
    }
    this.#others.add(id)
  }
}

function orderedKey(id: string): number[] | undefined {
  if (!/^\d{1,15}(:\d{1,15})?$/.test(id)) return undefined
  return id.split(':').map(Number)
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const difference = (a[index] ?? -1) - (b[index] ?? -1)
    if (difference !== 0) return difference
  }
  return 0
}
