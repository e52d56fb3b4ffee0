import { ConnectionError, InvalidOptionsError } from '../errors'
import { isRunningStatus } from '../prediction'
import type { PredictionStream } from '../prediction-stream'
import type { PredictionStreamOptions, Timers } from '../types'
import { AnswerRun, type AnswerEnd } from './answer-run'
import type { ChatThreadStore } from './chat-thread-store'
import { newMessage } from './message-init'
import type { PromptTemplate } from './templates'
import * as ops from './thread'
import type { ChatMessage, PredictionChatOptions } from './types'

/**
 * The answers one chat follows: asks for them (one create each), follows those created elsewhere,
 * and writes the few changes of each (created, started, ended) into the thread. Never per token.
 */
export class ChatRunner {
  readonly #store: ChatThreadStore
  readonly #streamOptions: PredictionStreamOptions
  readonly #template: PromptTemplate
  readonly #options: PredictionChatOptions
  readonly #timers: Timers
  /** The answers followed, by message id. */
  readonly #runs = new Map<string, AnswerRun>()
  /** Following every running answer of the thread (the chat is retained), or only its own. */
  following = false

  constructor(init: {
    store: ChatThreadStore
    streamOptions: PredictionStreamOptions
    template: PromptTemplate
    options: PredictionChatOptions
    timers: Timers
  }) {
    this.#store = init.store
    this.#streamOptions = init.streamOptions
    this.#template = init.template
    this.#options = init.options
    this.#timers = init.timers
  }

  streamOf(answerId: string): PredictionStream | undefined {
    return this.#runs.get(answerId)?.stream
  }

  /** The followed answer's run; an answer created elsewhere is attached to first. */
  runOf(answer: ChatMessage): AnswerRun | undefined {
    return this.#runs.get(answer.id) ?? (answer.predictionId ? this.#follow(answer) : undefined)
  }

  /** Stops following answer `id` and cancels its prediction: the answer is no longer wanted. */
  cancel(id: string): void {
    const run = this.#runs.get(id)
    if (!run) return
    this.#runs.delete(id)
    void run.cancel()
  }

  /**
   * Asks for the answer to user message `questionId`, unless an answer runs or it was answered
   * meanwhile (by another chat on this thread): one create per question, never two.
   */
  ask(questionId: string): void {
    const answer = newMessage('assistant', '', 'starting')
    let asked = false
    this.#store.update((thread) => {
      const index = thread.messages.findIndex((m) => m.id === questionId)
      const answered = thread.messages[index + 1]?.role === 'assistant'
      if (index === -1 || answered || ops.runningAnswer(thread.messages)) return thread
      asked = true
      const sent = ops.patchMessage(thread, questionId, { status: 'sent' })
      return ops.addMessage(sent, answer, this.#store.tab, questionId)
    })
    if (!asked) return
    const run = this.#run(answer.id)
    let input: Record<string, unknown>
    try {
      const { input: extra, systemPrompt } = this.#options
      const messages = this.#store.thread.messages
      input = {
        ...(typeof extra === 'function' ? extra(messages) : extra),
        ...this.#template(ops.historyUpTo(messages, questionId), { systemPrompt }),
      }
    } catch (error) {
      const failure = new InvalidOptionsError(`The prompt could not be built: ${String(error)}`)
      const { metrics } = run.stream.getSnapshot()
      return this.#finish(answer.id, run, {
        status: 'failed',
        content: '',
        error: failure,
        metrics,
      })
    }
    run.start(input)
  }

  /**
   * Brings the chat in line with the thread: stops following answers that are gone, follows
   * running answers it does not follow yet (when `following`), and asks for the next queued
   * follow-up this tab sent once nothing runs.
   */
  reconcile(): void {
    this.#store.batch(() => {
      const messages = this.#store.thread.messages
      for (const [id, run] of this.#runs) {
        if (messages.some((m) => m.id === id)) continue
        this.#runs.delete(id)
        run.disconnect()
        this.#store.touch()
      }
      if (!this.#store.restored) return
      if (this.following) {
        for (const m of messages) {
          const running = m.role === 'assistant' && isRunningStatus(m.status)
          if (running && m.predictionId && !this.#runs.has(m.id)) this.#follow(m)
        }
      }
      const queued = ops.firstQueued(messages)
      const mine = queued && this.#store.tabOf(queued.id) === this.#store.tab
      if (mine && !ops.runningAnswer(messages)) this.ask(queued.id)
    })
  }

  /**
   * Answers this tab was creating when its page went away, before the create was answered:
   * whether their prediction exists is unknown, and creating it again could bill twice, so they
   * end `failed`, ready to be regenerated.
   */
  interruptLostCreates(): void {
    for (const m of this.#store.thread.messages) {
      if (m.role !== 'assistant' || m.predictionId || !isRunningStatus(m.status)) continue
      if (this.#runs.has(m.id) || this.#store.tabOf(m.id) !== this.#store.tab) continue
      const error = new ConnectionError(
        'The page was left before the prediction was created; regenerate to ask again',
        { retryable: false },
      )
      this.#store.update((thread) =>
        ops.patchMessage(thread, m.id, { status: 'failed', error }, ops.notEnded),
      )
    }
  }

  /** Stops following every answer; their predictions keep running on the server. */
  disconnect(): void {
    this.following = false
    for (const run of this.#runs.values()) run.disconnect()
    this.#runs.clear()
    this.#store.batch(() => this.#store.touch())
  }

  #follow(answer: ChatMessage): AnswerRun {
    const run = this.#run(answer.id)
    run.attach(answer.predictionId as string)
    this.#store.touch()
    return run
  }

  #run(answerId: string): AnswerRun {
    const run: AnswerRun = new AnswerRun(this.#streamOptions, {
      onProgress: (change) =>
        this.#store.batch(() =>
          this.#store.update((thread) => ops.patchMessage(thread, answerId, change, ops.notEnded)),
        ),
      onEnd: (end) => this.#store.batch(() => this.#finish(answerId, run, end)),
    })
    this.#runs.set(answerId, run)
    return run
  }

  #finish(answerId: string, run: AnswerRun, end: AnswerEnd): void {
    if (this.#runs.get(answerId) !== run) return
    this.#runs.delete(answerId)
    this.#store.update((thread) => ops.patchMessage(thread, answerId, end, ops.notEnded))
    const message = this.#store.thread.messages.find((m) => m.id === answerId)
    if (message) {
      this.#isolate(() => this.#options.onFinish?.(message))
      const error = end.status === 'failed' ? end.error : null
      if (error) this.#isolate(() => this.#options.onError?.(error, message))
    }
    this.reconcile()
  }

  /** A callback that throws never disturbs the chat: its error is rethrown on a fresh task. */
  #isolate(callback: () => void): void {
    try {
      callback()
    } catch (error) {
      this.#timers.setTimeout(() => {
        throw error
      }, 0)
    }
  }
}
