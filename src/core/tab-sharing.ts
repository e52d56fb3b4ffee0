import { browserTabCoordination, type TabCoordination } from './cross-tab'
import type { EventIntake } from './event-intake'
import type { RunScope } from './run-scope'
import { shareStream, type SharedStreamHandle, type SharedStreamOptions } from './shared-stream'
import type { Action } from './state'
import type { TabSharing } from './types'

/** One run's side of tab sharing: what the run and the stream's dispatch call. */
export interface RunSharing {
  /** The run's `share` (see {@link shareStream}); absent when the tabs cannot coordinate. */
  share?: (scope: RunScope, url: string, intake: EventIntake) => Promise<boolean>
  /** Called with every action the run reports, to relay it when this tab holds the stream. */
  relay(action: Action): void
}

/** What a {@link PredictionStream} does with its `shareAcrossTabs` option. */
export interface TabSharingHooks extends TabSharing {
  /** Tab sharing for one run. */
  run(options: Omit<SharedStreamOptions, 'coordination' | 'key'>): RunSharing
}

/**
 * The value of the `shareAcrossTabs` option (and its default): tabs of one origin following the
 * same prediction share one stream connection. The tab holding a Web Lock named after the stream
 * (`navigator.locks`) opens it and relays its events to the others over a `BroadcastChannel`;
 * when that tab closes, the next one takes over from the last event ID it was relayed. A tab that
 * hears nothing from the holder for twice `stallTimeoutMs` opens its own connection. Where there
 * is no document, no Web Locks or no BroadcastChannel (Node, older browsers), each stream keeps
 * its own connection. Call it yourself only to bring your own coordination.
 *
 * @param coordination - Replaces the browser's locks and channels (another runtime's, or a
 * test's). Read once, when `tabSharing()` is called. Defaults to the page's `navigator.locks` and
 * `BroadcastChannel`, where it has them (so call it in the browser: on a server there is nothing
 * to coordinate with).
 * @returns The value to pass as `shareAcrossTabs`; one value may serve any number of streams.
 * Never throws.
 *
 * @example
 * ```ts
 * usePredictionStream({ endpoint, model, shareAcrossTabs: tabSharing(myCoordination) })
 * ```
 */
export function tabSharing(
  coordination: TabCoordination | undefined = browserTabCoordination(),
): TabSharing {
  const hooks: TabSharingHooks = {
    kind: 'tab-sharing',
    run: (options) => {
      if (!coordination) return { relay: () => {} }
      let shared: SharedStreamHandle | undefined
      return {
        share: (scope, url, intake) => {
          shared = shareStream(scope, intake, { ...options, coordination, key: url })
          return shared.leading
        },
        relay: (action) => shared?.relay(action),
      }
    },
  }
  return hooks
}
