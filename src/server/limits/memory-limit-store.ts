/**
 * The default {@link LimitStore}: counts in this process's memory. Limits hold per process, so
 * behind a load balancer or on serverless instances use the Redis store instead.
 */
import type { LimitStore } from './limit-store'

/** Options of {@link createMemoryLimitStore}. */
export interface MemoryLimitStoreOptions {
  /**
   * Clock in ms since the epoch.
   *
   * @defaultValue `Date.now`
   */
  now?: () => number
}

/** Operations between two sweeps of expired entries, so idle subjects do not stay forever. */
const SWEEP_EVERY = 1024

/** A {@link LimitStore} in this process's memory; every operation is synchronous, so atomic. */
export function createMemoryLimitStore(options: MemoryLimitStoreOptions = {}): LimitStore {
  const now = options.now ?? Date.now
  const windows = new Map<string, { count: number; endsAt: number }>()
  const sets = new Map<string, Map<string, number>>()
  let operations = 0

  function sweep(time: number): void {
    if (++operations % SWEEP_EVERY !== 0) return
    for (const [key, window] of windows) if (window.endsAt <= time) windows.delete(key)
    for (const key of sets.keys()) live(key, time)
  }

  /** The set at `key` without its expired members (dropped when it becomes empty). */
  function live(key: string, time: number): Map<string, number> {
    const set = sets.get(key) ?? new Map<string, number>()
    for (const [member, expiresAt] of set) if (expiresAt <= time) set.delete(member)
    if (set.size === 0) sets.delete(key)
    return set
  }

  return {
    async hit(key, limit, windowMs) {
      const time = now()
      sweep(time)
      let window = windows.get(key)
      if (!window || window.endsAt <= time) {
        window = { count: 0, endsAt: time + windowMs }
        windows.set(key, window)
      }
      window.count++
      return window.count <= limit ? 0 : Math.max(1, window.endsAt - time)
    },
    async acquire(key, member, max, ttlMs) {
      const time = now()
      sweep(time)
      const set = live(key, time)
      if (!set.has(member) && set.size >= max) return false
      set.set(member, time + ttlMs)
      sets.set(key, set)
      return true
    },
    async replace(key, from, to, ttlMs) {
      const time = now()
      const set = live(key, time)
      set.delete(from)
      set.set(to, time + ttlMs)
      sets.set(key, set)
    },
    async release(key, member) {
      const set = sets.get(key)
      set?.delete(member)
      if (set?.size === 0) sets.delete(key)
    },
    async members(key) {
      return [...live(key, now()).keys()]
    },
  }
}
