import type { PredictionStreamError, PredictionStreamErrorCode } from '../errors'
import type { PredictionStatus } from '../prediction'
import type { PredictionStreamMetrics, PredictionStreamOptions } from '../types'
import type { PromptTemplate, PromptTemplateName } from './templates'

/** Who wrote a message: the person, or the model. */
export type ChatRole = 'user' | 'assistant'

/**
 * Where a message is.
 *
 * - User messages: `sent` once their answer has been asked for, `queued` while they wait for
 *   the answer before them to end (a follow-up sent while an answer streams).
 * - Answers: Replicate's prediction status values, `starting` from the moment the prediction is
 *   asked for until the end (`succeeded`, `failed`, `canceled`, `aborted`).
 */
export type ChatMessageStatus = 'queued' | 'sent' | PredictionStatus

/** One message of a thread. Immutable: a change makes a new object. */
export interface ChatMessage {
  /** Unique within its thread; stable across reloads. */
  readonly id: string
  /** Who wrote it: `'user'` or `'assistant'` (the model). */
  readonly role: ChatRole
  /**
   * The text, verbatim. For an answer, the prediction's output joined, as streamed (leading
   * `"\n\n"` included): set when the answer ends, so the thread does not change per token.
   * While it streams, its live text is the stream that `streamOf(id)` returns.
   */
  readonly content: string
  /** See {@link ChatMessageStatus}. */
  readonly status: ChatMessageStatus
  /**
   * Why an answer failed (`ApiError`, `PredictionFailedError`, `ConnectionError`), else `null`.
   * Restored from storage as a `PredictionStreamError` with the same `code`, `message` and
   * `developerMessage`.
   */
  readonly error: PredictionStreamError | null
  /** The answer's prediction id (what your endpoint returned as `id`), once created. */
  readonly predictionId: string | null
  /** The answer's timing and connection counts, once it ended (see `PredictionStreamMetrics`). */
  readonly metrics: PredictionStreamMetrics | null
}

/**
 * A message given to `setMessages`: `role` and `content`, the rest optional. A missing `id` is
 * generated; a missing `status` is `sent` for user messages and `succeeded` for answers.
 */
export type ChatMessageInit = Pick<ChatMessage, 'role' | 'content'> &
  Partial<Omit<ChatMessage, 'role' | 'content'>>

/** The thread's running answer: `idle` when none, else its status. */
export type ChatStatus = 'idle' | 'starting' | 'processing'

/** An immutable snapshot of a chat: the same object until something changes. */
export interface PredictionChatSnapshot {
  /** The thread, oldest first. Queued follow-ups come after the running answer. */
  readonly messages: readonly ChatMessage[]
  /** See {@link ChatStatus}. */
  readonly status: ChatStatus
  /** The error of the latest answer, or `null` when it has none. */
  readonly error: PredictionStreamError | null
  /**
   * `true` once the thread has been read from `storage` (at once for `localStorage`, after a
   * task for IndexedDB); `false` in a server render. Sends made before are kept and run after.
   */
  readonly restored: boolean
}

/** Callbacks of a chat. Each is optional; they are read when called, never stale. */
export interface PredictionChatCallbacks {
  /**
   * An answer followed by this tab ended (`succeeded`, `failed`, `canceled`, `aborted`). Called
   * once per answer in each tab that followed it.
   */
  onFinish?: (message: ChatMessage) => void
  /** An answer followed by this tab failed; `error` is also on the message. */
  onError?: (error: PredictionStreamError, message: ChatMessage) => void
}

/**
 * Options of `PredictionChat` (and `usePredictionChat`). The stream options (`endpoint`,
 * `model`/`version`/`deployment`, `fetch`, `headers`, `retry`, timers, polling) are those of
 * `PredictionStream`, used for every answer; each answer is one prediction.
 */
export interface PredictionChatOptions
  extends Omit<PredictionStreamOptions, 'resume' | 'onRelease'>, PredictionChatCallbacks {
  /**
   * Names the thread: its key in `storage`, shared by every tab that shows it.
   * @defaultValue `"default"`
   */
  threadId?: string
  /**
   * Where the thread is kept across reloads and shared with other tabs: a {@link ChatStorage}
   * (`localStorageChatStorage()`, `indexedDbChatStorage()` or your own), or `false` for nowhere.
   * @defaultValue `localStorageChatStorage()` (nothing is kept where there is no `localStorage`)
   */
  storage?: ChatStorage | false
  /**
   * How the history becomes the prediction's input: `'llama-3-instruct'`, `'llama-2-chat'`,
   * `'plain'`, or your own {@link PromptTemplate}.
   * @defaultValue chosen from `model`: `meta/meta-llama-3*-instruct` → `'llama-3-instruct'`,
   * `meta/llama-2-*-chat` → `'llama-2-chat'`, anything else → `'plain'`
   */
  template?: PromptTemplateName | PromptTemplate
  /**
   * The system prompt the template puts first (Llama's `system` role; `system_prompt` for
   * `'plain'`).
   * @defaultValue none
   */
  systemPrompt?: string
  /**
   * Further input of every prediction (`max_tokens`, `temperature`, …), or a function of the
   * thread so far that returns it. The template's fields (`prompt`, `prompt_template`,
   * `system_prompt`) take precedence.
   * @defaultValue none
   */
  input?: Record<string, unknown> | ((messages: readonly ChatMessage[]) => Record<string, unknown>)
  /**
   * Names this tab among the tabs showing the thread: the tab that sent a message creates its
   * answer, the others follow it.
   * @defaultValue an id kept in `sessionStorage`, so a reloaded tab is the same tab
   */
  tabId?: string
}

/** The stored form of an error: what its class cannot carry through JSON is dropped. */
export interface StoredError {
  /** The error's `code`. */
  code: PredictionStreamErrorCode
  /** The sentence for people (the error's `message`). */
  message: string
  /** What happened, for the developer (the error's `developerMessage`). */
  developerMessage?: string
}

/** A message as kept in storage: plain JSON, plus the tab that runs it. */
export interface StoredMessage {
  /** See {@link ChatMessage}. */
  id: string
  /** See {@link ChatMessage}. */
  role: ChatRole
  /** See {@link ChatMessage}. */
  content: string
  /** See {@link ChatMessage}. */
  status: ChatMessageStatus
  /** The message's error, or `null`. */
  error: StoredError | null
  /** See {@link ChatMessage}. */
  predictionId: string | null
  /** See {@link ChatMessage}. */
  metrics: PredictionStreamMetrics | null
  /** The tab that sent it (a user message) or creates it (an answer). */
  tab: string
}

/** A thread as kept in storage. */
export interface StoredThread {
  /** The format of this record; bumped when it changes incompatibly. */
  version: 1
  /** The messages, oldest first. */
  messages: StoredMessage[]
}

/**
 * Where a chat keeps its threads. `load` and `save` may be synchronous (`localStorage`: the
 * thread is painted in the first render) or return promises (IndexedDB).
 *
 * Implementations should never throw for storage trouble (quota, privacy modes): a chat that
 * cannot be kept must still work. The chat swallows what they throw anyway.
 */
export interface ChatStorage {
  /** The thread saved under `threadId`, or `undefined`. */
  load(threadId: string): StoredThread | undefined | Promise<StoredThread | undefined>
  /** Saves the whole thread under `threadId`. */
  save(threadId: string, thread: StoredThread): void | Promise<void>
  /**
   * Calls `listener` when another tab saved `threadId` (the `storage` event of
   * `localStorage`). Returns the function that stops listening. Without it, tabs do not see
   * each other's messages.
   */
  subscribe?(threadId: string, listener: () => void): () => void
}
