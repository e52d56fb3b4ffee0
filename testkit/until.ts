import type { PredictionStream, PredictionStreamSnapshot } from '../src/core/index'

/** Resolves with the snapshot once `predicate` holds (checked now and after every change). */
export function until(
  stream: PredictionStream,
  predicate: (snapshot: PredictionStreamSnapshot) => boolean,
): Promise<PredictionStreamSnapshot> {
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
