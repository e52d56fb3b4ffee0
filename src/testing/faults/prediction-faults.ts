/**
 * The prediction faults: make new predictions fail, or cancel them from the server side, after a
 * number of outputs. Declared and validated here; a simulated prediction applies them
 * (`src/testing/predictions/simulated-prediction.ts`), since failing and being canceled are things
 * a prediction does anyway (`docs/replicate-protocol.md` §2.3, §3.1).
 */
import { count, invalid, object, times, type Counted, type Repeated } from './rules'

/** Make predictions fail after `afterOutputs` outputs: `error` then `done {"reason": "error"}`. */
export interface FailFault extends Repeated {
  /** Outputs published before the failure, clamped to the model's output count. */
  afterOutputs: number
  /**
   * The error text.
   * @defaultValue `"Simulated failure after N outputs"`
   */
  detail?: string
}

/**
 * Cancel predictions from the server side after `afterOutputs` outputs
 * (`done {"reason": "canceled"}`).
 */
export interface CancelFault extends Repeated {
  /** Outputs published before the cancel, clamped to the model's output count. */
  afterOutputs: number
}

/** Validates a `fail` or `cancel` rule and gives it its use count; `null` when there is none. */
export function resolvePredictionFault<T extends FailFault | CancelFault>(
  rule: T | null | undefined,
  name: string,
): Counted<T> | null {
  if (rule === null || rule === undefined) return null
  object(rule, name)
  count(rule.afterOutputs, `${name}.afterOutputs`)
  if ('detail' in rule && rule.detail !== undefined && typeof rule.detail !== 'string') {
    invalid(`${name}.detail must be a string`)
  }
  if (rule.afterOutputs === undefined) invalid(`${name}.afterOutputs must be an integer ≥ 0`)
  return { ...rule, times: times(rule, name) }
}
