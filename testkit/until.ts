import type { PredictionStreamSnapshot } from '../src/core/index'

/** Anything read through `useSyncExternalStore`: a stream, a chat. */
interface Store<Snapshot> {
  subscribe(listener: () => void): () => void
  getSnapshot(): Snapshot
}

/** Resolves with the snapshot once `predicate` holds (checked now and after every change). */
export function until<Snapshot>(
  stream: Store<Snapshot>,
  predicate: (snapshot: Snapshot) => boolean,
): Promise<Snapshot> {
  return new Promise((resolve) => {
    const check = () => {
      const snapshot = stream.getSnapshot()
      if (!predicate(snapshot)) return
      unsubscribe()
      resolve(snapshot)
    }
    const unsubscribe = stream.subscribe(check)
    check()
  })
}

/** The run is over: finished, failed, canceled or disconnected. */
export const settled = (snapshot: PredictionStreamSnapshot) => snapshot.connection === 'closed'
