import { createEndpointClient, type EndpointClient, type PredictionTarget } from './endpoint-client'
import { InvalidOptionsError } from './errors'
import { hostTimers } from './host-timers'
import { assertResolvable, createBody, targetOf, validateOptions } from './options'
import { isTerminalStatus } from './prediction'
import { PredictionRun } from './prediction-run'
import { RefCount } from './ref-count'
import type { ResumeHooks } from './resume-store'
import { defaultRetryPolicy } from './retry'
import { DEFAULT_MAX_EVENT_SIZE } from './sse'
import { initialSnapshot, reduce, type Action } from './state'
import { tabSharing, type TabSharingHooks } from './tab-sharing'
import type { PredictionStreamOptions, PredictionStreamSnapshot, Timers } from './types'

/**
 * The lifecycle of one prediction at a time, framework-free: create it through your endpoint,
 * follow its server-sent events, reconnect with `Last-Event-ID` when the stream drops, and
 * publish immutable snapshots.
 *
 * React users get this through `usePredictionStream`; anything else can `subscribe` and read
 * `getSnapshot()` directly (the `useSyncExternalStore` contract).
 *
 * @example
 * ```ts
 * const stream = new PredictionStream({ endpoint: '/api/predictions', model: 'meta/meta-llama-3-8b-instruct' })
 * stream.subscribe(() => console.log(stream.getSnapshot().text))
 * await stream.start({ prompt: 'Write a haiku about llamas' }) // resolves when the run ends
 * ```
 *
 * @throws {@link InvalidOptionsError} from the constructor when `endpoint` is missing or
 * malformed, or when more than one of `model`, `version` and `deployment` is set; `start()`
 * rejects with it when none is set (only `attach()` works then), and `start()`/`attach()` when
 * `endpoint` is relative outside a browser (a server render may create the stream; only using
 * it there is refused).
 */
export class PredictionStream {
  #state: PredictionStreamSnapshot = initialSnapshot
  #listeners = new Set<() => void>()
  #run: PredictionRun | null = null
  readonly #options: PredictionStreamOptions
  readonly #client: EndpointClient
  readonly #target: PredictionTarget | undefined
  readonly #timers: Timers
  readonly #now: () => number
  readonly #users: RefCount
  readonly #resume: ResumeHooks | undefined
  readonly #tabs: TabSharingHooks | undefined

  constructor(options: PredictionStreamOptions) {
    validateOptions(options)
    this.#options = options
    const { headers } = options
    this.#client = createEndpointClient({
      endpoint: options.endpoint,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      headers: typeof headers === 'function' ? headers : () => headers,
    })
    this.#target = targetOf(options)
    this.#timers = options.timers ?? hostTimers
    this.#now = options.now ?? Date.now
    this.#users = new RefCount(this.#timers, () => {
      this.disconnect()
      options.onRelease?.()
    })
    // `resume` is a value made by a function exported on its own (resumeAfterReload), so its
    // code is bundled only by apps that use it. Tab sharing is on by default, so that the same
    // chat open in two tabs never streams twice: its code is in every bundle.
    this.#resume = options.resume as ResumeHooks | undefined
    this.#resume?.persist(this, this.#timers, this.#now)
    const tabs = options.shareAcrossTabs ?? tabSharing()
    this.#tabs = tabs === false ? undefined : (tabs as TabSharingHooks)
  }

  /** Calls `listener` after every snapshot change. Returns the function that unsubscribes. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  /** The current immutable snapshot; the same object until something changes. */
  getSnapshot = (): PredictionStreamSnapshot => this.#state

  /** The snapshot before any `start()`: what a server render shows. */
  getInitialSnapshot = (): PredictionStreamSnapshot => initialSnapshot

  /**
   * Creates a prediction with `input` (exactly one `POST` per call, retried only on 429 and on
   * 503 with `Retry-After`, when the server certainly created nothing) and follows it. A stream
   * already running is disconnected first (not canceled: it keeps running on the server).
   *
   * Resolves when the run ends: the prediction reached a terminal status, failed to be created
   * or followed, or the run was stopped by `disconnect()`, `cancel()` or a new `start()`. Never
   * rejects for anything the network or server does: those failures land in the snapshot's
   * `error` (an `ApiError` when the create is refused, e.g. 422 with `invalidFields`).
   *
   * @throws {@link InvalidOptionsError} (as a rejection, before any request) when no `model`,
   * `version` or `deployment` is configured, `input` is not an object, or `endpoint` is relative
   * outside a browser.
   */
  start = async (input: Record<string, unknown>): Promise<void> => {
    const body = createBody(this.#target, input)
    assertResolvable(this.#options.endpoint)
    await this.#begin().create(body)
  }

  /**
   * Follows a prediction that already exists (created elsewhere, or by another tab): reads it
   * with `GET {endpoint}/{id}`, then streams it from its first event. Nothing is created.
   * Resolves when the run ends, like {@link PredictionStream.start}, and never rejects for
   * network or server failures; a prediction that is already terminal ends at once with its
   * full output.
   *
   * @throws {@link InvalidOptionsError} (as a rejection) when `predictionId` is not a non-empty
   * string.
   */
  attach = async (predictionId: string): Promise<void> => {
    if (typeof predictionId !== 'string' || predictionId === '') {
      throw new InvalidOptionsError('attach() needs a prediction id')
    }
    assertResolvable(this.#options.endpoint)
    await this.#begin().attach(predictionId)
  }

  /**
   * With the `resume` option: re-attaches to the prediction remembered under its key, if any,
   * instead of creating a new one (after a page reload, say). The items, text and last event ID
   * remembered with it are in the snapshot at once, before any request is answered; the stream
   * is then reopened with that `Last-Event-ID`, so only the events after it arrive (a server that
   * does not know the id replays from the start, and what was already applied is dropped). When
   * the items did not fit in storage, the stream is replayed from its first event. Resolves
   * `true` when there was one to resume, once that run ends. Does nothing while a run is active.
   *
   * @throws {@link InvalidOptionsError} (as a rejection) when `endpoint` is relative outside a
   * browser.
   */
  resume = async (): Promise<boolean> => {
    if (this.#run?.active) return false
    const stored = this.#resume?.read(this.#now())
    if (!stored) return false
    assertResolvable(this.#options.endpoint)
    await this.#begin(stored.start?.action).attach(stored.id, stored.start?.seed)
    return true
  }

  /**
   * Checks the connection now, as after a sleep: a backoff in progress ends and the stream is
   * reopened at once with `Last-Event-ID` (a wait the server asked for with `Retry-After` or
   * `retry:` is kept), a connection that has been silent for a second or more is presumed dead
   * and reopened, and a poll is made now. Browsers need not call it: the stream does so itself
   * when the page becomes visible, resumes after being frozen, is restored from the
   * back/forward cache, or goes online again. Call it from other hosts when the app comes back
   * to the foreground (React Native's `AppState` turning `active`, say). Does nothing without a
   * run.
   */
  wake = (): void => {
    this.#run?.wake()
  }

  /**
   * Declares one more user of this stream (a mounted component, say) and returns the function
   * that ends that use. When the last user leaves, the stream disconnects, but only after the
   * current task: React StrictMode unmounts and remounts effects back to back, and that must
   * neither drop nor reopen the connection. The prediction is never canceled by this.
   */
  retain = (): (() => void) => this.#users.retain()

  /**
   * Cancels the prediction on the server (`POST {endpoint}/{id}/cancel`) and closes the stream.
   * Called while the create is still in flight, it cancels as soon as the prediction exists.
   * Resolves when the cancel request has been answered; its failure lands in `error`.
   */
  cancel = async (): Promise<void> => {
    if (!this.#run || isTerminalStatus(this.#state.status)) return
    await this.#run.cancel()
  }

  /**
   * Closes the connection and stops following the prediction, which keeps running on the
   * server. No callback fires and no timer is left afterwards. Not an error: the snapshot keeps
   * its status and text.
   */
  disconnect = (): void => {
    const run = this.#run
    if (!run) return
    run.stop()
    this.#run = null
    this.#dispatch({ type: 'connection-changed', connection: 'closed' })
  }

  #begin(
    first: Action = {
      type: 'start-requested',
      at: this.#now(),
      outputKind: this.#options.outputKind,
    },
  ): PredictionRun {
    this.#run?.stop()
    const options = this.#options
    const stallTimeoutMs = options.stallTimeoutMs ?? 45_000
    // One connection per stream among the tabs (shared-stream.ts): a follower hears from the
    // holder at least every `beatMs`, and opens its own after `silenceMs` of nothing.
    const tabs = this.#tabs?.run({
      held: () => ({ output: this.#state.output, lastEventId: this.#state.lastEventId }),
      silenceMs: 2 * stallTimeoutMs,
      beatMs: stallTimeoutMs / 3,
      dispatch: (action) => dispatch(action),
      now: this.#now,
    })
    // Only the current run may change the state: an old run's late answers are ignored.
    const dispatch = (action: Action) => {
      if (this.#run !== run) return
      this.#dispatch(action)
      tabs?.relay(action)
    }
    const run: PredictionRun = new PredictionRun({
      client: this.#client,
      retry: { ...defaultRetryPolicy, ...options.retry },
      timers: this.#timers,
      now: this.#now,
      stallTimeoutMs,
      eventTimeoutMs: options.eventTimeoutMs ?? 300_000,
      maxEventSize: options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE,
      pollIntervalMs: [options.pollIntervalMs ?? 500, options.maxPollIntervalMs ?? 5000],
      dispatch,
      share: tabs?.share,
    })
    this.#run = run
    this.#dispatch(first)
    return run
  }

  #dispatch(action: Action): void {
    const next = reduce(this.#state, action)
    if (next === this.#state) return
    this.#state = next
    // The live set, not a copy per change: a listener removed during the loop is skipped.
    for (const listener of this.#listeners) listener()
  }
}
