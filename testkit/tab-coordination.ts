import type { TabChannel, TabCoordination } from '../src/core/index'

/**
 * Tabs in one Node process: Node's own `BroadcastChannel` (real, delivered between instances of
 * one name as in a browser) and an exclusive lock queue standing in for `navigator.locks`, which
 * Node 20 lacks. Each "tab" is a `PredictionStream` given this coordination as
 * `shareAcrossTabs: tabSharing(coordination)`; closing a tab is its `disconnect()`, which
 * releases its lock as a browser does for a closed tab. `holders` and `queued` show the election.
 */
export function memoryTabCoordination(): TabCoordination & {
  readonly holders: number
  readonly queued: number
} {
  const queues = new Map<string, (() => void)[]>()
  const held = new Set<string>()
  const grant = (name: string) => {
    if (held.has(name)) return
    const next = queues.get(name)?.shift()
    if (!next) return
    held.add(name)
    next()
  }
  return {
    locks: {
      request(name, { signal, ifAvailable }, callback) {
        return new Promise((resolve, reject) => {
          const aborted = () => new DOMException('The lock request was aborted', 'AbortError')
          if (signal?.aborted) return reject(aborted())
          const queue = queues.get(name) ?? []
          queues.set(name, queue)
          if (ifAvailable && (held.has(name) || queue.length > 0)) {
            callback(null).then(resolve, reject)
            return
          }
          const start = () => {
            signal?.removeEventListener('abort', leave)
            callback({ name })
              .then(resolve, reject)
              .finally(() => {
                held.delete(name)
                grant(name)
              })
          }
          const leave = () => {
            const index = queue.indexOf(start)
            if (index >= 0) queue.splice(index, 1)
            reject(aborted())
          }
          signal?.addEventListener('abort', leave, { once: true })
          queue.push(start)
          grant(name)
        })
      },
    },
    channel: (name) => new BroadcastChannel(name) as unknown as TabChannel,
    get holders() {
      return held.size
    },
    get queued() {
      let count = 0
      for (const queue of queues.values()) count += queue.length
      return count
    },
  }
}
