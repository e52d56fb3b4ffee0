import type { ChatStorage, StoredThread } from './types'

/** Options of {@link indexedDbChatStorage}. */
export interface IndexedDbChatStorageOptions {
  /**
   * The database's name.
   * @defaultValue `"react-prediction-stream"`
   */
  databaseName?: string
  /**
   * The object store that holds the threads, keyed by thread id.
   * @defaultValue `"chat-threads"`
   */
  storeName?: string
  /**
   * The IndexedDB factory.
   * @defaultValue `globalThis.indexedDB` (nothing is kept where there is none)
   */
  indexedDB?: IDBFactory
}

/**
 * Keeps threads in IndexedDB (https://www.w3.org/TR/IndexedDB/): for long threads that would not
 * fit `localStorage`'s few megabytes. Reads are asynchronous, so a reloaded page paints its
 * thread one task after the first render (`restored` tells when). IndexedDB fires no event in
 * other tabs, so tabs showing one thread do not see each other's messages with this storage.
 *
 * Failures (no IndexedDB, a blocked upgrade, quota) read as "nothing saved" and drop the write.
 */
export function indexedDbChatStorage(options: IndexedDbChatStorageOptions = {}): ChatStorage {
  const name = options.databaseName ?? 'react-prediction-stream'
  const storeName = options.storeName ?? 'chat-threads'
  let database: Promise<IDBDatabase | undefined> | undefined

  const open = (): Promise<IDBDatabase | undefined> =>
    (database ??= new Promise((resolve) => {
      const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB
      if (!factory) return resolve(undefined)
      const request = factory.open(name, 1)
      request.onupgradeneeded = () => request.result.createObjectStore(storeName)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => resolve(undefined)
      request.onblocked = () => resolve(undefined)
    }))

  const run = async <T>(
    mode: IDBTransactionMode,
    operation: (store: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T | undefined> => {
    const db = await open()
    if (!db) return undefined
    return new Promise((resolve) => {
      try {
        const transaction = db.transaction(storeName, mode)
        const request = operation(transaction.objectStore(storeName))
        transaction.oncomplete = () => resolve(request.result)
        transaction.onerror = () => resolve(undefined)
        transaction.onabort = () => resolve(undefined)
      } catch {
        resolve(undefined)
      }
    })
  }

  return {
    load: (threadId) =>
      run('readonly', (store) => store.get(threadId) as IDBRequest<StoredThread | undefined>),
    save: async (threadId, thread) => {
      await run('readwrite', (store) => store.put(thread, threadId))
    },
  }
}
