/**
 * A small seeded pseudo-random generator for the local server's fault injection, bursty cadence
 * and ids. Test-kit logic, not cryptography: it only has to make a run reproducible from its seed.
 */
import { randomBytes } from 'node:crypto'

/** Returns a float in `[0, 1)` on each call. */
export type Random = () => number

/**
 * mulberry32: 32 bits of state, full period, fast, and good enough for choosing burst sizes and
 * cut points. Same seed, same sequence, on every platform (only 32-bit integer arithmetic).
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A seed for one independent stream of draws (`label` + `index`, e.g. the 3rd stream connection).
 * Each prediction and each connection draws from its own generator, so concurrent connections
 * cannot change each other's draws and a run stays reproducible whatever the interleaving.
 */
export function deriveSeed(seed: number, label: string, index: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0
  for (const char of `${label}#${index}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193)
  return hash >>> 0
}

/** An integer in `[min, max]` (both inclusive). */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}

/** A fresh 32-bit seed from the OS, used when the caller gives none. */
export function randomSeed(): number {
  return randomBytes(4).readUInt32LE(0)
}

/** `length` characters of `alphabet` drawn from `random`. */
export function randomString(random: Random, alphabet: string, length: number): string {
  let result = ''
  for (let i = 0; i < length; i++) result += alphabet[Math.floor(random() * alphabet.length)]
  return result
}
