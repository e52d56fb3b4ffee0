/**
 * Reading flag values: the usage error every bad value raises, and the integer forms the flags
 * share.
 */

/** Thrown for bad arguments; `main` prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {}

/** A non-negative integer flag value, at most `max`. */
export function nonNegativeInteger(
  flag: string,
  value: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(number) || number > max) {
    throw new UsageError(`${flag} must be an integer between 0 and ${max}, got "${value}"`)
  }
  return number
}

/** {@link nonNegativeInteger} of a flag that may be absent. */
export function optionalInteger(flag: string, value: unknown, max?: number): number | undefined {
  return typeof value === 'string' ? nonNegativeInteger(flag, value, max) : undefined
}
