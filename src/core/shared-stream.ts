import type { TabChannel, TabCoordination } from './cross-tab'
import type { EventIntake } from './event-intake'
import { isTerminalStatus } from './prediction'
import type { RunScope } from './run-scope'
import type { Action, StreamEvent } from './state'
import { isMessage, type Message } from './tab-messages'

/**
 * How long a tab granted the lock waits for the old holder's last relays before it opens the
 * connection, when it has heard from a holder and no bye came. The lock and the channel are separate paths, so a grant
 * may overtake the relay of `done`: taking over at once would open a connection for a finished
 * stream. A closed tab says no bye, so this is also the hand-over time after a tab closes.
 */
const GRACE_MS = 100

/** Where a shared stream gets what it needs beyond the run. */
export interface SharedStreamOptions {
  coordination: TabCoordination
  /** Names the stream among the tabs: its `urls.stream`, the same in every tab. */
  key: string
  /** Every item this tab holds and its last event ID, to answer a tab that joined late. */
  held(): { output: readonly string[]; lastEventId: string | null }
  /** A follower that hears nothing for this long (ms) opens its own connection. */
  silenceMs: number
  /** How often (ms) the holder says it is alive. */
  beatMs: number
  /** Reports to the store, as the run does (only the current run's actions get through). */
  dispatch(action: Action): void
  now(): number
}

/** The stream's side of a shared stream: whether this tab holds it, and the relay. */
export interface SharedStreamHandle {
  /**
   * Resolves `true` once this tab is to open the connection itself (it was elected, or the
   * holder went silent), `false` when the run stopped first (a relayed terminal event included).
   */
  readonly leading: Promise<boolean>
  /** Relays what this tab's run reported, when it holds the connection. */
  relay(action: Action): void
}

/**
 * One prediction's stream shared by the tabs of an origin: the tab holding the Web Lock named
 * after the stream opens the one connection and relays what it applies over a BroadcastChannel;
 * the others follow the relay and queue for the lock. When the holder closes (or disconnects,
 * or ends its run) the browser releases its lock and the next tab takes over (at once after a
 * bye, within `GRACE_MS` after a closed tab) from the last event ID it was relayed, so nothing
 * is replayed. A follower that hears nothing for
 * `silenceMs` (a frozen or hung holder) opens its own connection rather than wait: two
 * connections for a while, never a stuck tab.
 */
export function shareStream(
  scope: RunScope,
  intake: EventIntake,
  options: SharedStreamOptions,
): SharedStreamHandle {
  const name = `react-prediction-stream/1 ${options.key}`
  const channel: TabChannel = options.coordination.channel(name)
  let leading = false
  let syncRequested = false
  let following = false
  /** The holder said bye since it last spoke: a lock granted now follows a clean hand-over. */
  let byeHeard = false
  /** Granted the lock, waiting for the old holder's last relays (see `GRACE_MS`). */
  let grace: unknown
  let resolveLeading: (value: boolean) => void = () => {}
  const leadingPromise = new Promise<boolean>((resolve) => (resolveLeading = resolve))
  scope.own(() => {
    if (leading) {
      try {
        channel.postMessage({ type: 'bye' } satisfies Message)
      } catch {
        // Closed already: the page is going away.
      }
    }
    channel.onmessage = null
    channel.close()
    resolveLeading(false)
  })
  const post = (message: Message) => {
    if (!scope.active) return
    try {
      channel.postMessage(message)
    } catch {
      // A channel closed under us (the page is going away): the other tabs take over.
    }
  }
  const askForTheRest = () => {
    syncRequested = true
    post({ type: 'sync', have: intake.outputCount })
  }

  let silence: unknown
  const armSilence = () => {
    scope.clearTimeout(silence)
    if (!leading) silence = scope.setTimeout(lead, options.silenceMs)
  }
  const beat = () => {
    post({ type: 'beat' })
    scope.setTimeout(beat, options.beatMs)
  }
  function lead() {
    if (leading || !scope.active) return
    leading = true
    scope.clearTimeout(silence)
    scope.clearTimeout(grace)
    resolveLeading(true)
    beat()
  }

  channel.onmessage = ({ data }) => {
    if (!scope.active || !isMessage(data)) return
    if (leading) {
      if (data.type === 'sync') answer(data.have)
      return
    }
    // Only the holder answers a newcomer.
    if (data.type === 'sync') return
    if (data.type === 'bye') {
      byeHeard = true
      // Everything the holder relayed came before its bye: if this run is still on, take over.
      if (grace !== undefined) lead()
      return
    }
    byeHeard = false
    armSilence()
    if (!following) {
      following = true
      options.dispatch({ type: 'connection-changed', connection: 'open', transport: 'stream' })
    }
    if (data.type === 'beat' && syncRequested) askForTheRest()
    else if (data.type === 'prediction') {
      const { prediction } = data
      // Read like a poll: new items are the ones past this run's count.
      apply(intake.polledOutputs(prediction.output))
      options.dispatch({ type: 'prediction-received', prediction, at: options.now() })
      if (isTerminalStatus(prediction.status)) end()
    } else if (data.type === 'events') {
      // A gap: relays were missed (this tab joined late, or was frozen): ask for the rest.
      if (data.from > intake.outputCount) return askForTheRest()
      syncRequested = false
      intake.receiveRelayed(data.from, data.events)
      apply(intake.take())
      if (intake.ending) end()
    }
  }
  const apply = (events: StreamEvent[]) => {
    if (events.length > 0) options.dispatch({ type: 'events-received', events, at: options.now() })
  }
  /** The relay reached a terminal status: this run ends, as the holder's did. */
  const end = () => {
    scope.stop()
    options.dispatch({ type: 'connection-changed', connection: 'closed', attempt: 0 })
  }
  const answer = (have: number) => {
    const { output, lastEventId } = options.held()
    // With nothing it lacks, the answer is empty: the newcomer still learns there is a holder.
    const events: StreamEvent[] = output
      .slice(have)
      .map((data) => ({ event: 'output', id: undefined, data }))
    if (events.length > 0) events[events.length - 1]!.id = lastEventId ?? undefined
    post({ type: 'events', from: Math.min(have, output.length), events })
  }

  // Back from a sleep, a follower may have missed relays: ask for whatever it lacks.
  scope.onWake(() => {
    if (!leading) askForTheRest()
  })
  const { locks } = options.coordination
  const hold = () => new Promise<void>((release) => scope.own(release))
  const queue = new AbortController()
  scope.own(() => queue.abort())
  // Free: this is the first tab, it opens the connection at once. Held: it queues, and once
  // granted waits for the old holder's last relays unless it said bye (see `GRACE_MS`).
  const queueForTurn = () => {
    void locks
      .request(name, { signal: queue.signal }, () => {
        if (!scope.active) return Promise.resolve()
        if (byeHeard) lead()
        else grace = scope.setTimeout(lead, GRACE_MS)
        return hold()
      })
      // Rejects with an AbortError when the run stopped while queued: nothing to do.
      .catch(() => {})
  }
  locks
    .request(name, { ifAvailable: true }, (lock) => {
      if (!scope.active) return Promise.resolve()
      if (lock === null) {
        queueForTurn()
        return Promise.resolve()
      }
      lead()
      return hold()
    })
    .catch(() => {})
  armSilence()
  askForTheRest()

  return {
    leading: leadingPromise,
    relay(action) {
      if (!leading || !scope.active) return
      if (action.type === 'prediction-received') {
        post({ type: 'prediction', prediction: action.prediction })
      } else if (action.type === 'events-received') {
        // The intake has counted these events' items already.
        let outputs = 0
        for (const event of action.events) if (event.event === 'output') outputs += 1
        post({ type: 'events', from: intake.outputCount - outputs, events: [...action.events] })
      }
    },
  }
}
