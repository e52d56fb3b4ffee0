import type { ResumeStorage } from '../types'
import type { ChatStorage, StoredThread } from './types'

/** Options of {@link localStorageChatStorage}. */
export interface LocalStorageChatStorageOptions {
  /**
   * The Web Storage area to use.
   * @defaultValue `globalThis.localStorage` (nothing is kept where there is none)
   */
  storage?: ResumeStorage
  /**
   * Where the `storage` events of other tabs arrive.
   * @defaultValue `globalThis` (the window)
   */
  events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
  /**
   * Prepended to the thread id to make the key.
   * @defaultValue `"react-prediction-stream:chat:"`
   */
  keyPrefix?: string
}

/**
 * Keeps threads in `localStorage` as JSON, one key per thread, and tells a chat when another tab
 * saved its thread (the `storage` event, which fires in every other tab of the origin:
 * https://html.spec.whatwg.org/multipage/webstorage.html#the-storage-event). Reads are
 * synchronous, so a reloaded page paints its thread in the first render.
 *
 * Storage can throw (quota, privacy modes, disabled storage): a failed write is dropped and a
 * failed read reads as "nothing saved", so the chat keeps working, unsaved.
 */
export function localStorageChatStorage(options: LocalStorageChatStorageOptions = {}): ChatStorage {
  const prefix = options.keyPrefix ?? 'react-prediction-stream:chat:'
  const storage = options.storage ?? defaultStorage()
  const events = options.events ?? (globalThis as Partial<EventTarget>)
  return {
    load(threadId) {
      try {
        const raw = storage?.getItem(prefix + threadId)
        return raw ? (JSON.parse(raw) as StoredThread) : undefined
      } catch {
        return undefined
      }
    },
    save(threadId, thread) {
      try {
        storage?.setItem(prefix + threadId, JSON.stringify(thread))
      } catch {
        // See above: the chat keeps working, unsaved.
      }
    },
    subscribe(threadId, listener) {
      if (!storage || typeof events.addEventListener !== 'function') return () => {}
      const key = prefix + threadId
      const onStorage = (event: Event) => {
        const { key: changed, storageArea } = event as StorageEvent
        // `key` is null when another tab cleared the whole area.
        if ((changed === key || changed === null) && (!storageArea || storageArea === storage)) {
          listener()
        }
      }
      events.addEventListener('storage', onStorage)
      return () => events.removeEventListener?.('storage', onStorage)
    },
  }
}

function defaultStorage(): ResumeStorage | undefined {
  try {
    return (globalThis as { localStorage?: ResumeStorage }).localStorage
  } catch {
    // Reading localStorage itself throws where storage is disabled.
    return undefined
  }
}
