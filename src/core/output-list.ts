/**
 * The `output` items of one run, append-only: every snapshot of the run shares one
 * {@link ItemStore} and records its own `length`, so appending an item costs O(1) and copies
 * nothing, while each snapshot still shows exactly the items it had (the store only grows past
 * them).
 */
export interface OutputList {
  readonly store: ItemStore
  readonly length: number
  /** Items ever copied for this run's lists, by a fork or by materialising `output`. */
  readonly stats: { copiedItems: number }
  /**
   * Made during the action being reduced and not yet in any snapshot: further appends of the
   * same action may extend it in place instead of allocating a list per event.
   */
  draft?: boolean
}

/**
 * The items themselves. Text items (language-model tokens) arrive a network chunk at a time and
 * are kept as that chunk's joined text and where each item ends in it: a string per token would
 * live as long as the run, and a 100k-token stream would make the garbage collector copy 100k
 * survivors. They become strings only when someone reads them (`output`, `onOutput`, `resume`),
 * once, in order.
 */
export interface ItemStore {
  /** The first items, as strings. */
  readonly items: string[]
  /** The items after `items`, still as text: one joined string and its items' end offsets each. */
  readonly batches: { text: string; ends: number[] }[]
  /** Batches before this one are in `items` already (cleared once all are). */
  nextBatch: number
  /** All items: `items.length` plus those in `batches`. */
  count: number
  /** The initial snapshot's store, which is never appended to. */
  readonly frozen?: boolean
}

/** A list (and a store of its own) holding `items`, copied, so the caller's array never grows. */
export function outputListFrom(items: readonly string[], frozen = false): OutputList {
  const store: ItemStore = {
    items: items.slice(),
    batches: [],
    nextBatch: 0,
    count: items.length,
    frozen,
  }
  return { store, length: items.length, stats: { copiedItems: items.length } }
}

/**
 * The store's items as strings, at least the first `count` of them (pending text items are made
 * strings here, once). Index it below the list's `length` only: the store may hold more.
 */
export function itemsOf(list: OutputList, count = list.length): readonly string[] {
  const { store } = list
  // An index, not `shift()`: a slow stream has a batch per item, and shifting each off would
  // move all the others every time.
  while (store.items.length < count && store.nextBatch < store.batches.length) {
    const { text, ends } = store.batches[store.nextBatch] as ItemStore['batches'][number]
    store.nextBatch += 1
    let start = 0
    for (const end of ends) {
      store.items.push(text.slice(start, end))
      start = end
    }
  }
  if (store.nextBatch === store.batches.length) {
    store.batches.length = 0
    store.nextBatch = 0
  }
  return store.items
}

/** `list` with `item` appended (see {@link appendTextItems} for text arriving by the chunk). */
export function appendOutput(list: OutputList, item: string): OutputList {
  const target = writable(list)
  // Items keep their order: text still pending goes first.
  itemsOf(target, target.store.count)
  target.store.items.push(item)
  return grown(target, 1)
}

/** `list` with the items `text.slice(0, ends[0])`, `text.slice(ends[0], ends[1])`, … appended. */
export function appendTextItems(list: OutputList, text: string, ends: number[]): OutputList {
  if (ends.length === 0) return list
  const target = writable(list)
  target.store.batches.push({ text, ends })
  return grown(target, ends.length)
}

/** `true` when two lists show the same items. */
export function sameList(a: OutputList, b: OutputList): boolean {
  return a.store === b.store && a.length === b.length
}

/**
 * `list` itself when it is the newest view of its store (the only case while a run streams),
 * else a copy with a store of its own, so an older snapshot is never changed.
 */
function writable(list: OutputList): OutputList {
  if (list.length === list.store.count && !list.store.frozen) return list
  list.stats.copiedItems += list.length
  const items = itemsOf(list).slice(0, list.length)
  const store: ItemStore = { items, batches: [], nextBatch: 0, count: items.length }
  return { store, length: items.length, stats: list.stats, draft: true }
}

function grown(list: OutputList, added: number): OutputList {
  list.store.count += added
  if (list.draft) {
    ;(list as { length: number }).length += added
    return list
  }
  return { store: list.store, length: list.length + added, stats: list.stats, draft: true }
}
