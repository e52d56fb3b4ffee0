/**
 * Where per-subject limits are counted. Two implementations ship: in memory (the default, one
 * process) and Redis (every instance behind a load balancer shares one count). Each operation
 * must be atomic on its own: two instances calling `acquire` at once must not both get the last
 * slot. Keys come from the handler already hashed (no caller text reaches the store).
 */
export interface LimitStore {
  /**
   * Counts one create for `key` in a fixed window of `windowMs` that starts at the key's first
   * hit. Resolves `0` while the count is at most `limit`, else the milliseconds until the window
   * ends (for `Retry-After`).
   */
  hit(key: string, limit: number, windowMs: number): Promise<number>
  /**
   * Adds `member` to the set at `key`, to live `ttlMs`, unless the set already holds `max` live
   * members. Resolves `true` when added (or already there).
   */
  acquire(key: string, member: string, max: number, ttlMs: number): Promise<boolean>
  /** Replaces `from` by `to` (live `ttlMs`) in the set at `key`, in one step. */
  replace(key: string, from: string, to: string, ttlMs: number): Promise<void>
  /** Removes `member` from the set at `key`. Removing an absent member is fine. */
  release(key: string, member: string): Promise<void>
  /** The live members of the set at `key`. */
  members(key: string): Promise<string[]>
}
