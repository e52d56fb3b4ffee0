import { currentTabId } from './ids'
import { localStorageChatStorage } from './local-storage'
import { fromStored, toStored, type Thread } from './stored-thread'
import type { ChatStorage } from './types'
import { emptyThread, lastAnswer, runningAnswer } from './thread'
import type { ChatStatus, PredictionChatSnapshot } from './types'

type Operation = (thread: Thread) => Thread

/**
 * What the server renders: an empty, idle thread. A module constant marked pure, not a static
 * field, so that a bundle of the React entry that never uses chat can drop this file.
 */
export const serverChatSnapshot: PredictionChatSnapshot = /* @__PURE__ */ Object.freeze({
  messages: /* @__PURE__ */ Object.freeze([]),
  status: 'idle',
  error: null,
  restored: false,
})

/**
 * The thread of one chat, its snapshot and its storage. Every change is an operation applied to
 * the freshest stored copy (read back first where storage reads are synchronous), so that two
 * tabs changing one thread one after the other keep each other's changes instead of the last
 * writer's copy winning. Snapshots are published once per batch of changes.
 */
export class ChatThreadStore {
  /** This tab's id (see `PredictionChatOptions.tabId`). */
  readonly tab: string
  readonly #threadId: string
  readonly #storage: ChatStorage | undefined
  readonly #listeners = new Set<() => void>()
  #thread: Thread = emptyThread
  #restored = true
  /** Reads are synchronous (`localStorage`), so every change can start from the stored copy. */
  #synchronous = true
  /** Changes made before an asynchronous storage was read: applied to what it held. */
  #early: Operation[] = []
  #snapshot: PredictionChatSnapshot
  #depth = 0
  #dirty = false

  constructor(init: {
    threadId: string
    storage: ChatStorage | false | undefined
    tabId: string | undefined
    onRestored: () => void
  }) {
    this.tab = init.tabId ?? currentTabId()
    this.#threadId = init.threadId
    this.#storage = init.storage === false ? undefined : (init.storage ?? localStorageChatStorage())
    const loaded = this.#load()
    if (loaded instanceof Promise) {
      this.#synchronous = false
      this.#restored = false
      void loaded.then((value) =>
        this.batch(() => {
          const stored = fromStored(value, []) ?? emptyThread
          let thread = stored
          for (const operation of this.#early.splice(0)) thread = operation(thread)
          this.#restored = true
          this.#dirty = true
          this.#set(thread, thread !== stored)
          init.onRestored()
        }),
      )
    } else {
      this.#thread = fromStored(loaded, []) ?? emptyThread
    }
    this.#snapshot = this.#derive()
  }

  get thread(): Thread {
    return this.#thread
  }

  get restored(): boolean {
    return this.#restored
  }

  /** The tab message `id` belongs to. */
  tabOf(id: string): string | undefined {
    return this.#thread.tabs.get(id)
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  getSnapshot(): PredictionChatSnapshot {
    return this.#snapshot
  }

  /** Applies `operation` to the freshest copy of the thread and saves the result. */
  update(operation: Operation): void {
    if (!this.#restored) {
      this.#early.push(operation)
      this.#set(operation(this.#thread), false)
      return
    }
    const fresh = (this.#synchronous && this.#read()) || this.#thread
    const next = operation(fresh)
    this.#set(next, next !== fresh)
  }

  /** Reads the stored thread again (after another tab saved it). */
  pull(): void {
    if (!this.#synchronous || !this.#restored) return
    const stored = this.#read()
    if (stored) this.#set(stored, false)
  }

  /**
   * Calls `onChange` after another tab saved the thread and it has been read back. Returns the
   * function that stops listening.
   */
  listen(onChange: () => void): () => void {
    return (
      this.#storage?.subscribe?.(this.#threadId, () =>
        this.batch(() => {
          this.pull()
          onChange()
        }),
      ) ?? (() => {})
    )
  }

  /**
   * Publishes a new snapshot, with a new `messages` array, although no message changed: which
   * answers stream did (a list memoized on `messages` must see it).
   */
  touch(): void {
    this.#thread = { ...this.#thread, messages: [...this.#thread.messages] }
    this.#dirty = true
    this.#flush()
  }

  /** Runs `changes` and publishes one snapshot for all of them. */
  batch(changes: () => void): void {
    this.#depth += 1
    try {
      changes()
    } finally {
      this.#depth -= 1
      this.#flush()
    }
  }

  #set(thread: Thread, save: boolean): void {
    if (save) this.#save(thread)
    if (thread === this.#thread) return
    this.#thread = thread
    this.#dirty = true
    this.#flush()
  }

  #flush(): void {
    if (this.#depth > 0 || !this.#dirty) return
    this.#dirty = false
    this.#snapshot = this.#derive()
    for (const listener of [...this.#listeners]) listener()
  }

  #derive(): PredictionChatSnapshot {
    const messages = this.#thread.messages
    const running = runningAnswer(messages)
    return {
      messages,
      status: (running?.status as ChatStatus | undefined) ?? 'idle',
      error: lastAnswer(messages)?.error ?? null,
      restored: this.#restored,
    }
  }

  /** Storage may throw or reject: losing the thread must never break the chat. */
  #load(): unknown {
    try {
      const loaded = this.#storage?.load(this.#threadId)
      return loaded instanceof Promise ? loaded.catch(() => undefined) : loaded
    } catch {
      return undefined
    }
  }

  /** The stored thread; the thread held already when the stored one equals it (no new render). */
  #read(): Thread | undefined {
    const loaded = this.#load()
    if (loaded instanceof Promise) return undefined
    const stored = fromStored(loaded, this.#thread.messages)
    const held = this.#thread
    const same =
      stored !== undefined &&
      stored.messages.length === held.messages.length &&
      stored.messages.every((message, index) => message === held.messages[index]) &&
      stored.messages.every((message) => stored.tabs.get(message.id) === held.tabs.get(message.id))
    return same ? held : stored
  }

  #save(thread: Thread): void {
    try {
      const saved = this.#storage?.save(this.#threadId, toStored(thread))
      if (saved instanceof Promise) saved.catch(() => {})
    } catch {
      // See #load.
    }
  }
}
