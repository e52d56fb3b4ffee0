/**
 * What tabs of one origin use to share one connection per prediction: Web Locks elect the tab
 * that holds the connection (https://w3c.github.io/web-locks/), a BroadcastChannel carries its
 * events to the others (https://html.spec.whatwg.org/multipage/web-messaging.html#broadcasting-to-other-browsing-contexts).
 * Both are per origin (and per storage partition), exactly the set of tabs that may share.
 */

/** The part of `navigator.locks` (a `LockManager`) the tabs need. */
export interface TabLocks {
  /**
   * Queues for the exclusive lock `name`; `callback` runs once it is granted (with the lock),
   * and the lock is held until the promise it returns settles, or until the tab goes away (the
   * browser then releases it, which is what lets another tab take over). Aborting `signal`
   * leaves the queue. With `ifAvailable`, nothing is queued: `callback` runs at once, with
   * `null` when another tab holds the lock.
   */
  request(
    name: string,
    options: { signal?: AbortSignal; ifAvailable?: boolean },
    callback: (lock: unknown) => Promise<void>,
  ): Promise<unknown>
}

/** The part of a `BroadcastChannel` the tabs need. */
export interface TabChannel {
  /** Sends `message` (structured-cloned) to the channel's other ends, never to this one. */
  postMessage(message: unknown): void
  /** Leaves the channel: nothing more is sent or received. */
  close(): void
  /** Called with each message another end posts. */
  onmessage: ((event: { data: unknown }) => void) | null
}

/**
 * How tabs coordinate: the browser's `navigator.locks` and `BroadcastChannel` by default, or
 * your own (another runtime's equivalents, or a test's).
 */
export interface TabCoordination {
  /** Elects the tab that holds a prediction's connection. */
  locks: TabLocks
  /** Opens the channel called `name`, shared by every tab of the origin that opens it. */
  channel(name: string): TabChannel
}

interface TabGlobals {
  document?: unknown
  navigator?: { locks?: TabLocks }
  BroadcastChannel?: new (name: string) => TabChannel
}

/**
 * The page's own coordination, or `undefined` where there is no document, no Web Locks or no
 * BroadcastChannel (each tab then keeps its own connection). Only in a document: Node has
 * BroadcastChannel (and, in recent versions, Web Locks) across its whole process, where two
 * streams are not two tabs.
 */
export function browserTabCoordination(): TabCoordination | undefined {
  const page = globalThis as TabGlobals
  const locks = page.navigator?.locks
  const Channel = page.BroadcastChannel
  if (typeof page.document !== 'object' || typeof locks?.request !== 'function') return undefined
  if (typeof Channel !== 'function') return undefined
  return { locks, channel: (name) => new Channel(name) }
}
