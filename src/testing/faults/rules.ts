/**
 * What every fault rule shares: how many times it applies, and the checks its fields go through.
 * Errors name the offending field from the root of the fault set (`faults.stream[1].dropMode
 * must be 'eof' or 'reset'`), so a typo in a long fault list is found at once.
 */
import { InvalidOptionsError } from '../../core/errors'

/** Every fault rule applies `times` times (requests, connections or predictions). */
export interface Repeated {
  /**
   * How many requests, connections or predictions the rule applies to.
   * @defaultValue `Infinity`
   */
  times?: number
}

/** A rule with its remaining uses. */
export type Counted<T> = T & {
  /** How many more times the rule applies (`Infinity`: until cleared). */
  times: number
}

/** Throws the `InvalidOptionsError` of an invalid fault field. */
export function invalid(message: string): never {
  throw new InvalidOptionsError(`faults.${message}`)
}

/** An optional integer ≥ `min`; `undefined` stays `undefined`. */
export function count(value: unknown, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || (value as number) < min) {
    invalid(`${name} must be an integer ≥ ${min}`)
  }
  return value as number
}

/** The rule's use count: `Infinity` unless `times` is an integer ≥ 1. */
export function times(rule: Repeated, name: string): number {
  if (rule.times === undefined || rule.times === Infinity) return Infinity
  return count(rule.times, `${name}.times`, 1)!
}

/** An HTTP error status, 400–599. */
export function errorStatus(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 400 || (value as number) > 599) {
    invalid(`${name} must be an HTTP error status (400–599)`)
  }
  return value as number
}

/** `value` as a record, or the error of a non-object. */
export function object(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) invalid(`${name} must be an object`)
  return value as Record<string, unknown>
}
