import type { RunScope } from './run-scope'

/**
 * What the page says about the network and its own lifecycle, in one place. Every function is
 * safe where there is no `navigator`, `window` or `document` (Node, workers, a server render).
 */
interface EventSource {
  addEventListener?: (type: string, listener: (event: PageEvent) => void) => void
  removeEventListener?: (type: string, listener: (event: PageEvent) => void) => void
}

/** The part of an event the lifecycle reads: `pageshow`'s `persisted`. */
interface PageEvent {
  persisted?: boolean
}

interface PageGlobals extends EventSource {
  navigator?: { onLine?: boolean }
  document?: EventSource & { visibilityState?: string }
}

const page = (): PageGlobals => globalThis as PageGlobals

/** `true` only when the browser says it is offline (`navigator.onLine === false`). */
export function isOffline(): boolean {
  return page().navigator?.onLine === false
}

/** `true` when the document is hidden (a background tab): frames stop there, timers slow down. */
export function isPageHidden(): boolean {
  return page().document?.visibilityState === 'hidden'
}

/**
 * Adds `listener` for `type` on `target` until `scope` stops. Returns the function that removes
 * it earlier.
 */
function listen(
  scope: RunScope,
  target: EventSource | undefined,
  type: string,
  listener: (event: PageEvent) => void,
): () => void {
  if (typeof target?.addEventListener !== 'function') return () => {}
  target.addEventListener(type, listener)
  return scope.own(() => target.removeEventListener?.(type, listener))
}

/**
 * Resolves at once when online, else on the `online` event or when `scope` stops, so a run
 * waits for the network instead of burning its retries on a dead one. The listener belongs to
 * the scope.
 */
export function whenOnline(scope: RunScope): Promise<void> {
  const target = page()
  if (!isOffline() || typeof target.addEventListener !== 'function') return Promise.resolve()
  return new Promise<void>((resolve) => {
    const online = () => release()
    const release = scope.own(() => {
      target.removeEventListener?.('online', online)
      resolve()
    })
    target.addEventListener?.('online', online)
  })
}

/**
 * Resolves `false` at once when the page is visible (or there is no page), else waits until it
 * is visible again and resolves `true`, or `false` when `scope` stops first. A run asks before it
 * gives up: a hidden tab's timers are throttled and its connections may be cut by the system,
 * so nothing it sees while hidden is final (the failures are retried afresh once it is back).
 */
export function whenVisibleAgain(scope: RunScope): Promise<boolean> {
  const document = page().document
  if (!isPageHidden() || typeof document?.addEventListener !== 'function') {
    return Promise.resolve(false)
  }
  return new Promise<boolean>((resolve) => {
    const change = () => {
      if (!isPageHidden()) finish()
    }
    // Runs when the page is visible again or when the scope stops, whichever comes first.
    const finish = scope.own(() => {
      document.removeEventListener?.('visibilitychange', change)
      resolve(scope.active)
    })
    document.addEventListener?.('visibilitychange', change)
  })
}

/**
 * Calls `wake` each time the page comes back from a sleep, until `scope` stops: the document
 * becomes visible, the page resumes after being frozen (Page Lifecycle API `resume`, including
 * a Chrome DevTools `Page.setWebLifecycleState`), it is restored from the back/forward cache
 * (`pageshow` with `persisted`), or the browser is online again after being offline. Each of
 * these is a moment when a connection may have died unnoticed and a backoff timer may have been
 * throttled, so the run checks its connection at once instead of waiting.
 *
 * `online` is listened to only once the page went `offline`: it carries nothing otherwise.
 */
export function onPageWake(scope: RunScope, wake: () => void): void {
  const target = page()
  const document = target.document
  listen(scope, document, 'visibilitychange', () => {
    if (!isPageHidden()) wake()
  })
  listen(scope, document, 'resume', wake)
  listen(scope, target, 'pageshow', (event) => {
    if (event.persisted) wake()
  })
  let stopOnline: (() => void) | undefined
  const watchOnline = () => {
    stopOnline ??= listen(scope, target, 'online', () => {
      stopOnline?.()
      stopOnline = undefined
      wake()
    })
  }
  listen(scope, target, 'offline', watchOnline)
  if (isOffline()) watchOnline()
}
