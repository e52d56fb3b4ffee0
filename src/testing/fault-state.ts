/**
 * Validation of fault sets and the live fault state of one server: which rule the next request,
 * connection or prediction gets, and how many uses each rule has left (see `faults.ts`).
 */
import { InvalidOptionsError } from '../core/errors'
import { resolveCadence, type ResolvedCadence } from './cadence'
import type {
  CancelFault,
  Counted,
  CreateFault,
  FailFault,
  FaultController,
  Faults,
  Repeated,
  ResolvedFaults,
  StreamCut,
  StreamFault,
} from './faults'

function fail(message: string): never {
  throw new InvalidOptionsError(`faults.${message}`)
}

function count(value: unknown, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || (value as number) < min)
    fail(`${name} must be an integer ≥ ${min}`)
  return value as number
}

function times(rule: Repeated, name: string): number {
  if (rule.times === undefined || rule.times === Infinity) return Infinity
  return count(rule.times, `${name}.times`, 1)!
}

function status(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 400 || (value as number) > 599) {
    fail(`${name} must be an HTTP error status (400–599)`)
  }
  return value as number
}

function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? (value as readonly T[]) : [value as T]
}

function object(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) fail(`${name} must be an object`)
  return value as Record<string, unknown>
}

function cut(value: unknown, name: string): StreamCut | undefined {
  if (value === undefined) return undefined
  const { events, bytes } = object(value, name)
  return { events: count(events, `${name}.events`) ?? 0, bytes: count(bytes, `${name}.bytes`) ?? 0 }
}

function resolveStream(rule: StreamFault, name: string): Counted<StreamFault> {
  object(rule, name)
  const delay = rule.firstByteDelayMs
  if (delay !== undefined && !(typeof delay === 'number' && delay >= 0 && isFinite(delay))) {
    fail(`${name}.firstByteDelayMs must be a number ≥ 0`)
  }
  if (rule.dropMode !== undefined && rule.dropMode !== 'eof' && rule.dropMode !== 'reset') {
    fail(`${name}.dropMode must be 'eof' or 'reset'`)
  }
  let splitWrites: StreamFault['splitWrites']
  if (rule.splitWrites !== undefined) {
    const { minBytes, maxBytes } = object(rule.splitWrites, `${name}.splitWrites`)
    const min = count(minBytes, `${name}.splitWrites.minBytes`, 1)
    const max = count(maxBytes, `${name}.splitWrites.maxBytes`, 1)
    if (min === undefined || max === undefined || min > max) {
      fail(`${name}.splitWrites needs integers 1 ≤ minBytes ≤ maxBytes`)
    }
    splitWrites = { minBytes: min, maxBytes: max }
  }
  return {
    times: times(rule, name),
    ...(rule.status === undefined ? {} : { status: status(rule.status, `${name}.status`) }),
    ...(rule.body === undefined ? {} : { body: rule.body }),
    ...(delay === undefined ? {} : { firstByteDelayMs: delay }),
    ...(rule.dropAfter === undefined
      ? {}
      : { dropAfter: cut(rule.dropAfter, `${name}.dropAfter`) }),
    dropMode: rule.dropMode ?? 'eof',
    ...(rule.stallAfter === undefined
      ? {}
      : { stallAfter: cut(rule.stallAfter, `${name}.stallAfter`) }),
    ...(splitWrites ? { splitWrites } : {}),
    ...(rule.resumeOverlap === undefined
      ? {}
      : { resumeOverlap: count(rule.resumeOverlap, `${name}.resumeOverlap`) }),
  }
}

function resolveCreate(rule: CreateFault, name: string): Counted<CreateFault> {
  object(rule, name)
  const retry = rule.retryAfterSeconds
  if (retry !== undefined && !(Number.isInteger(retry) && retry >= 0)) {
    fail(`${name}.retryAfterSeconds must be an integer ≥ 0`)
  }
  if (rule.contentType !== undefined && typeof rule.contentType !== 'string') {
    fail(`${name}.contentType must be a string`)
  }
  return { ...rule, times: times(rule, name), status: status(rule.status, `${name}.status`) }
}

function resolveAfterOutputs<T extends FailFault | CancelFault>(
  rule: T | null | undefined,
  name: string,
): Counted<T> | null {
  if (rule === null || rule === undefined) return null
  object(rule, name)
  count(rule.afterOutputs, `${name}.afterOutputs`)
  if ('detail' in rule && rule.detail !== undefined && typeof rule.detail !== 'string') {
    fail(`${name}.detail must be a string`)
  }
  if (rule.afterOutputs === undefined) fail(`${name}.afterOutputs must be an integer ≥ 0`)
  return { ...rule, times: times(rule, name) }
}

/**
 * Validates a fault set and gives every rule its use count.
 *
 * @throws InvalidOptionsError naming the offending field, e.g. `faults.create[0].status must be an
 *   HTTP error status (400–599)`.
 */
export function resolveFaults(faults: Faults = {}): ResolvedFaults {
  if (typeof faults !== 'object' || faults === null) {
    throw new InvalidOptionsError('faults must be an object')
  }
  let cadence: ResolvedCadence | null = null
  if (faults.cadence !== undefined) {
    try {
      cadence = resolveCadence(faults.cadence)
    } catch (error) {
      fail((error as Error).message)
    }
  }
  return {
    create: list(faults.create).map((rule, i) => resolveCreate(rule, `create[${i}]`)),
    stream: list(faults.stream).map((rule, i) => resolveStream(rule, `stream[${i}]`)),
    fail: resolveAfterOutputs(faults.fail, 'fail'),
    cancel: resolveAfterOutputs(faults.cancel, 'cancel'),
    cadence,
  }
}

/** The fault state the routes draw from; one per app. */
export class FaultState implements FaultController {
  #faults: ResolvedFaults

  constructor(faults: Faults = {}) {
    this.#faults = resolveFaults(faults)
  }

  set(faults: Faults): void {
    this.#faults = resolveFaults(faults)
  }

  clear(): void {
    this.#faults = resolveFaults({})
  }

  get current(): ResolvedFaults {
    return structuredClone(this.#faults)
  }

  /** Replaces only the `fail` rule (`setFail` of the original API). */
  setFail(rule: FailFault | null): void {
    this.#faults = { ...this.#faults, fail: resolveAfterOutputs(rule, 'fail') }
  }

  /** Uses up one application of the first create rule that has uses left. */
  takeCreate(): CreateFault | undefined {
    return take(this.#faults.create)
  }

  /** Uses up one application of the first stream rule that has uses left. */
  takeStream(): StreamFault | undefined {
    return take(this.#faults.stream)
  }

  /** The prediction-level faults for a prediction created now, using up one of each. */
  takePrediction(): { fail?: FailFault; cancel?: CancelFault; cadence?: ResolvedCadence } {
    const { fail: failRule, cancel, cadence } = this.#faults
    return {
      ...(failRule && take([failRule]) ? { fail: failRule } : {}),
      ...(cancel && take([cancel]) ? { cancel } : {}),
      ...(cadence ? { cadence } : {}),
    }
  }
}

function take<T extends { times: number }>(rules: T[]): T | undefined {
  const rule = rules.find((candidate) => candidate.times > 0)
  if (rule) rule.times -= 1
  return rule
}
