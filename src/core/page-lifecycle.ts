import type { RunScope } from './run-scope'

/**
 * What the page says about the network and its own visibility, in one place. Every function is
 * safe where there is no `navigator`, `window` or `document` (Node, workers, a server render).
 */
interface PageGlobals {
  navigator?: { onLine?: boolean }
  document?: { visibilityState?: string }
  addEventListener?: (type: string, listener: () => void) => void
  removeEventListener?: (type: string, listener: () => void) => void
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
