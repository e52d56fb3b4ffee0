import { InvalidOptionsError } from '../errors'
import { hostTimers } from '../host-timers'
import { validateOptions } from '../options'
import { isRunningStatus } from '../prediction'
import type { PredictionStream } from '../prediction-stream'
import { RefCount } from '../ref-count'
import type { PredictionStreamOptions } from '../types'
import { ChatRunner } from './chat-runner'
import { ChatThreadStore, serverChatSnapshot } from './chat-thread-store'
import { newMessage, normalizeMessages } from './message-init'
import { resolveTemplate } from './templates'
import * as ops from './thread'
import type {
  ChatMessage,
  ChatMessageInit,
  PredictionChatOptions,
  PredictionChatSnapshot,
} from './types'

/**
 * A conversation with a language model, framework-free: each answer is one prediction through
 * your endpoint, followed by its own `PredictionStream` (reconnection, typed errors and metrics
 * per answer), its input built from the history by a prompt template. The thread is kept in
 * `storage` and shared with other tabs; after a reload a running answer is re-attached to its
 * prediction, never created again.
 *
 * The snapshot changes a few times per answer (asked, created, started, ended), never per
 * token: render a streaming answer from `streamOf(id)` with `<StreamingText stream>`.
 *
 * @example
 * ```ts
 * const chat = new PredictionChat({ endpoint: '/api/predictions', model: 'meta/meta-llama-3-8b-instruct' })
 * const release = chat.retain() // hear other tabs, re-attach a running answer
 * chat.subscribe(() => render(chat.getSnapshot().messages))
 * chat.send('Please write a haiku about llamas')
 * ```
 *
 * @throws {@link InvalidOptionsError} from the constructor for invalid stream options (see
 * `PredictionStream`) or an unknown `template` name.
 */
export class PredictionChat {
  readonly #store: ChatThreadStore
  readonly #runner: ChatRunner
  readonly #users: RefCount
  #unlisten: (() => void) | undefined

  constructor(options: PredictionChatOptions) {
    const { threadId, storage, template, tabId } = options
    const rest = streamOptionsOf(options)
    validateOptions(rest)
    const timers = rest.timers ?? hostTimers
    this.#store = new ChatThreadStore({
      threadId: threadId ?? 'default',
      storage,
      tabId,
      onRestored: () => this.#catchUp(),
    })
    this.#runner = new ChatRunner({
      store: this.#store,
      streamOptions: rest,
      template: resolveTemplate(template, rest.model),
      options,
      timers,
    })
    this.#users = new RefCount(timers, () => {
      this.#unlisten?.()
      this.#unlisten = undefined
      this.#runner.disconnect()
    })
  }

  /** Calls `listener` after every snapshot change. Returns the function that unsubscribes. */
  subscribe = (listener: () => void): (() => void) => this.#store.subscribe(listener)

  /** The current immutable snapshot; the same object until something changes. */
  getSnapshot = (): PredictionChatSnapshot => this.#store.getSnapshot()

  /** The snapshot of a server render: no messages, not restored. */
  getServerSnapshot = (): PredictionChatSnapshot => serverChatSnapshot

  /**
   * The stream of answer `messageId` while this chat follows it, else `undefined`: give it to
   * `<StreamingText stream>` so that only this answer re-renders per token.
   */
  streamOf = (messageId: string): PredictionStream | undefined => this.#runner.streamOf(messageId)

  /**
   * Declares a user of the chat (a mounted component) and returns the function that ends that
   * use. While used, the chat hears other tabs' saves and follows every running answer of the
   * thread: after a reload it re-attaches to its prediction (a `GET`, never a second create).
   * When the last user leaves, one task later (StrictMode), it stops following; the predictions
   * keep running on the server (docs/design.md rule 6).
   */
  retain = (): (() => void) => {
    const release = this.#users.retain()
    if (!this.#runner.following) {
      this.#runner.following = true
      this.#unlisten = this.#store.listen(() => this.#runner.reconcile())
      this.#store.batch(() => {
        this.#store.pull()
        this.#catchUp()
      })
    }
    return release
  }

  /**
   * Adds a user message and asks for its answer, or queues it (`status: 'queued'`) while an
   * answer runs: it is asked for when the answers before it have ended. Returns the message.
   *
   * @throws {@link InvalidOptionsError} when `text` is not a string.
   */
  send = (text: string): ChatMessage => {
    if (typeof text !== 'string') throw new InvalidOptionsError('send() needs the message text')
    const message = newMessage('user', text, 'queued')
    this.#store.batch(() => {
      this.#store.update((thread) => ops.addMessage(thread, message, this.#store.tab))
      this.#runner.reconcile()
    })
    return message
  }

  /**
   * Cancels the running answer's prediction (`POST {endpoint}/{id}/cancel`): the answer ends
   * `canceled` with the text it had, and queued follow-ups then run. Resolves when the cancel
   * request has been answered.
   */
  stop = async (): Promise<void> => {
    const answer = ops.runningAnswer(this.getSnapshot().messages)
    const run = answer && this.#runner.runOf(answer)
    if (run) await run.cancel()
  }

  /**
   * Asks again for answer `messageId` (the latest answer by default): it and what followed are
   * dropped (queued follow-ups stay) and a new answer is asked for from the same history. A
   * running answer among the dropped is canceled.
   *
   * @throws {@link InvalidOptionsError} when `messageId` names no answer of the thread.
   */
  regenerate = (messageId?: string): void => {
    const messages = this.getSnapshot().messages
    const answer =
      messageId === undefined
        ? ops.lastAnswer(messages)
        : messages.find((m) => m.id === messageId && m.role === 'assistant')
    if (!answer) {
      if (messageId === undefined) return
      throw new InvalidOptionsError(`regenerate(): no answer with id "${messageId}"`)
    }
    const question = ops.questionOf(messages, answer.id)
    this.#store.batch(() => {
      this.#drop(answer.id, true)
      if (question) this.#runner.ask(question.id)
    })
  }

  /**
   * Replaces the text of message `messageId` and drops what followed it (queued follow-ups
   * stay). A user message is then answered again; a running answer ends `canceled`; a queued
   * message only changes its text.
   *
   * @throws {@link InvalidOptionsError} when `messageId` names no message, or `text` is not a
   * string.
   */
  edit = (messageId: string, text: string): void => {
    const message = this.getSnapshot().messages.find((m) => m.id === messageId)
    if (!message || typeof text !== 'string') {
      throw new InvalidOptionsError(`edit(): no message with id "${messageId}", or no text`)
    }
    this.#store.batch(() => {
      if (message.status !== 'queued') this.#drop(messageId, false)
      this.#runner.cancel(messageId)
      const status = isRunningStatus(message.status) ? 'canceled' : message.status
      this.#store.update((thread) => ops.patchMessage(thread, messageId, { content: text, status }))
      if (message.role === 'user' && message.status !== 'queued') this.#runner.ask(messageId)
    })
  }

  /**
   * Replaces the thread with `next` (or what a function of the current messages returns).
   * Running answers left out are canceled, running answers kept are followed, and queued
   * messages are asked for in turn.
   *
   * @throws {@link InvalidOptionsError} for a message without `role` or `content`, or a
   * duplicate id.
   */
  setMessages = (
    next:
      | readonly ChatMessageInit[]
      | ((messages: readonly ChatMessage[]) => readonly ChatMessageInit[]),
  ): void => {
    const current = this.getSnapshot().messages
    const messages = normalizeMessages(typeof next === 'function' ? next(current) : next)
    const kept = new Set(messages.map((m) => m.id))
    this.#store.batch(() => {
      for (const m of current) if (!kept.has(m.id)) this.#runner.cancel(m.id)
      this.#store.update((thread) => ({
        messages,
        tabs: new Map(messages.map((m) => [m.id, thread.tabs.get(m.id) ?? this.#store.tab])),
      }))
      this.#runner.reconcile()
    })
  }

  /** Drops `id` (when `inclusive`) and what followed it, canceling a running answer among them. */
  #drop(id: string, inclusive: boolean): void {
    const { dropped } = ops.dropFollowing(this.#store.thread, id, inclusive)
    for (const message of dropped) this.#runner.cancel(message.id)
    this.#store.update((thread) => ops.dropFollowing(thread, id, inclusive).thread)
  }

  /** After a restore or on retain: end lost creates, follow running answers, run the queue. */
  #catchUp(): void {
    if (this.#runner.following) this.#runner.interruptLostCreates()
    this.#runner.reconcile()
  }
}

/** The options each answer's `PredictionStream` gets: all but the chat's own. */
function streamOptionsOf(options: PredictionChatOptions): PredictionStreamOptions {
  const rest: Record<string, unknown> = { ...options }
  for (const key of CHAT_OPTIONS) delete rest[key]
  return rest as unknown as PredictionStreamOptions
}

const CHAT_OPTIONS = [
  'threadId',
  'storage',
  'template',
  'systemPrompt',
  'input',
  'tabId',
  'onFinish',
  'onError',
] as const satisfies readonly (keyof PredictionChatOptions)[]
