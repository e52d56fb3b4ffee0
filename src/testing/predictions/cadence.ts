/**
 * When a prediction publishes its outputs: steady, at a token rate, or in bursts. Resolved once
 * per prediction, so changing the cadence never disturbs a prediction that is already running.
 */
import { InvalidOptionsError } from '../../core/errors'

/** A steady cadence: delays in milliseconds. */
export interface Cadence {
  /** From creation to the first output (the model's "boot" time). */
  firstOutputDelayMs: number
  /**
   * Between consecutive outputs. A step that runs late shortens the wait for the next one, so
   * the rate holds through timer jitter; after a stall longer than this, the schedule restarts
   * from then rather than bursting to catch up.
   */
  outputIntervalMs: number
}

/** A steady cadence given as a rate, e.g. `{ tokensPerSecond: 20 }` (one output every 50 ms). */
export interface RateCadence {
  /** Outputs per second, > 0. */
  tokensPerSecond: number
  /**
   * From creation to the first output, in ms.
   * @defaultValue `0`
   */
  firstOutputDelayMs?: number
}

/**
 * Outputs in bursts: `burstSize.min`–`burstSize.max` outputs at once (drawn from the server's
 * seeded generator, so a seed reproduces the bursts), then a pause of `burstIntervalMs`. This is
 * how tokens often arrive through proxies and batching inference servers.
 */
export interface BurstyCadence {
  /** Outputs per burst, integers with `1 ≤ min ≤ max`. */
  burstSize: {
    /** The fewest outputs in one burst. */
    min: number
    /** The most outputs in one burst. */
    max: number
  }
  /** Pause between bursts, in ms. */
  burstIntervalMs: number
  /**
   * From creation to the first burst, in ms.
   * @defaultValue `0`
   */
  firstOutputDelayMs?: number
}

/**
 * Every accepted form of the `cadence` option:
 * - `'realistic'`: first output after 500 ms, then one every 40 ms (the server's default);
 * - `'fast'`: 5 ms, then 1 ms (stories run as tests);
 * - `'instant'`: no delay at all (each step still yields to I/O), for tests;
 * - `'bursty'`: 1–8 outputs every 180 ms after 500 ms (≈ the realistic rate, unevenly);
 * - a {@link Cadence}, {@link RateCadence} or {@link BurstyCadence} object.
 */
export type CadenceOption =
  'realistic' | 'fast' | 'instant' | 'bursty' | Cadence | RateCadence | BurstyCadence

/** A cadence in one shape: `burstMin`–`burstMax` outputs per step (1–1 when steady). */
export interface ResolvedCadence extends Cadence {
  /** The fewest outputs published at one step. */
  burstMin: number
  /** The most outputs published at one step. */
  burstMax: number
}

/** The steady named cadences, in milliseconds. */
const CADENCES = {
  realistic: { firstOutputDelayMs: 500, outputIntervalMs: 40 },
  fast: { firstOutputDelayMs: 5, outputIntervalMs: 1 },
  instant: { firstOutputDelayMs: 0, outputIntervalMs: 0 },
} as const satisfies Record<string, Cadence>

/** Every named cadence, including the bursty one. */
export const NAMED_CADENCES = {
  ...CADENCES,
  bursty: { burstSize: { min: 1, max: 8 }, burstIntervalMs: 180, firstOutputDelayMs: 500 },
} as const satisfies Record<string, Cadence | BurstyCadence>

/** A finite number of milliseconds ≥ 0. */
export function isDelay(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

function optionalDelay(value: unknown, name: string): number {
  if (value === undefined) return 0
  if (!isDelay(value)) throw new InvalidOptionsError(`${name} must be a number ≥ 0`)
  return value
}

/**
 * Resolves a cadence option to one shape.
 *
 * @throws InvalidOptionsError for an unknown name, a negative or non-finite delay, a rate ≤ 0, or
 *   burst sizes that are not integers with `1 ≤ min ≤ max`.
 */
export function resolveCadence(cadence: CadenceOption): ResolvedCadence {
  const value: unknown =
    typeof cadence === 'string'
      ? Object.hasOwn(NAMED_CADENCES, cadence)
        ? NAMED_CADENCES[cadence]
        : undefined
      : cadence
  if (value === undefined) {
    throw new InvalidOptionsError(
      `cadence must be one of ${Object.keys(NAMED_CADENCES).join(', ')} or an object`,
    )
  }
  if (typeof value !== 'object' || value === null) {
    throw new InvalidOptionsError('cadence must be a name or an object')
  }
  if ('tokensPerSecond' in value) {
    const { tokensPerSecond, firstOutputDelayMs } = value as RateCadence
    if (
      typeof tokensPerSecond !== 'number' ||
      !(tokensPerSecond > 0) ||
      !isFinite(tokensPerSecond)
    ) {
      throw new InvalidOptionsError('cadence.tokensPerSecond must be a number > 0')
    }
    return {
      firstOutputDelayMs: optionalDelay(firstOutputDelayMs, 'cadence.firstOutputDelayMs'),
      outputIntervalMs: 1000 / tokensPerSecond,
      burstMin: 1,
      burstMax: 1,
    }
  }
  if ('burstSize' in value) {
    const { burstSize, burstIntervalMs, firstOutputDelayMs } = value as BurstyCadence
    const { min, max } = (burstSize ?? {}) as { min?: unknown; max?: unknown }
    if (!Number.isInteger(min) || !Number.isInteger(max) || (min as number) < 1 || min! > max!) {
      throw new InvalidOptionsError('cadence.burstSize must be integers with 1 ≤ min ≤ max')
    }
    if (!isDelay(burstIntervalMs)) {
      throw new InvalidOptionsError('cadence.burstIntervalMs must be a number ≥ 0')
    }
    return {
      firstOutputDelayMs: optionalDelay(firstOutputDelayMs, 'cadence.firstOutputDelayMs'),
      outputIntervalMs: burstIntervalMs,
      burstMin: min as number,
      burstMax: max as number,
    }
  }
  const { firstOutputDelayMs, outputIntervalMs } = value as Partial<Cadence>
  if (!isDelay(firstOutputDelayMs) || !isDelay(outputIntervalMs)) {
    throw new InvalidOptionsError(
      'cadence.firstOutputDelayMs and cadence.outputIntervalMs must be numbers ≥ 0',
    )
  }
  return { firstOutputDelayMs, outputIntervalMs, burstMin: 1, burstMax: 1 }
}
