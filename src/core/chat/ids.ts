/**
 * A random id of 16 lowercase base-32 characters (80 bits). `crypto.getRandomValues` rather than
 * `crypto.randomUUID`, which exists only in secure contexts (a page on a LAN address over
 * `http:` has none).
 */
export function randomId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => alphabet[byte & 31]).join(
    '',
  )
}

const TAB_KEY = 'react-prediction-stream:chat-tab'

/**
 * This tab's id: kept in `sessionStorage`, which every tab has its own of and which survives a
 * reload, so a reloaded tab recognises the answers it was creating. A fresh id where there is no
 * `sessionStorage` (Node, storage disabled).
 */
export function currentTabId(): string {
  try {
    const storage = (globalThis as { sessionStorage?: Storage }).sessionStorage
    const existing = storage?.getItem(TAB_KEY)
    if (existing) return existing
    const id = randomId()
    storage?.setItem(TAB_KEY, id)
    return id
  } catch {
    return randomId()
  }
}
