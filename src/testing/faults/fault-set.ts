/**
 * Fault injection: what the local server should do wrong, and for how many requests, connections
 * or predictions. One programmatic object (`createReplicateApp({ faults })`,
 * `server.faults.set(…)`), mirrored by CLI flags. Everything random is drawn from the server's
 * seeded generator, so a seed reproduces a run.
 *
 * Each fault has its own file in this folder, holding its declaration, its validation and how it
 * is answered or applied: `create-fault.ts`, `stream-fault.ts` (with `stream-cuts.ts`),
 * `prediction-faults.ts`. This one holds the set and the live state the routes draw from.
 */
import { InvalidOptionsError } from '../../core/errors'
import { resolveCadence, type CadenceOption, type ResolvedCadence } from '../predictions/cadence'
import { resolveCreateFault, type CreateFault } from './create-fault'
import { resolvePredictionFault, type CancelFault, type FailFault } from './prediction-faults'
import { invalid, type Counted } from './rules'
import { resolveStreamFault, type StreamFault } from './stream-fault'

/**
 * The whole fault set. `create` and `stream` rules are used in order: each request takes the
 * first rule with uses left, so `[{ status: 429, times: 2 }]` fails two creates and lets the third
 * through, and `[{ dropAfter: { events: 2 }, times: 1 }, { status: 500, times: 1 }]` cuts the first
 * connection and refuses the second. `fail`, `cancel` and `cadence` apply to predictions created
 * while they are set.
 */
export interface Faults {
  /** Answer create requests with an HTTP error instead of creating a prediction. */
  create?: CreateFault | readonly CreateFault[]
  /** Refuse, delay, cut, stall or split stream connections. */
  stream?: StreamFault | readonly StreamFault[]
  /** Make new predictions fail after some outputs. */
  fail?: FailFault | null
  /** Cancel new predictions from the server side after some outputs. */
  cancel?: CancelFault | null
  /** Output cadence of new predictions, instead of the server's `cadence` option. */
  cadence?: CadenceOption
}

/** {@link Faults} after validation, with remaining uses. */
export interface ResolvedFaults {
  /** The create rules, in order, with their remaining uses. */
  create: Counted<CreateFault>[]
  /** The stream rules, in order, with their remaining uses. */
  stream: Counted<StreamFault>[]
  /** The fail rule with its remaining uses, or `null`. */
  fail: Counted<FailFault> | null
  /** The cancel rule with its remaining uses, or `null`. */
  cancel: Counted<CancelFault> | null
  /** The cadence of new predictions, or `null` for the server's own. */
  cadence: ResolvedCadence | null
}

/** The live fault set of one server: `set`/`clear` it, and see what is left. */
export interface FaultController {
  /**
   * Replaces the whole fault set. Running predictions keep the `fail`, `cancel` and `cadence` they
   * were created with; open streams keep their connection's fault.
   *
   * @throws InvalidOptionsError for an invalid fault set (nothing changes then).
   */
  set(faults: Faults): void
  /** Removes every fault. */
  clear(): void
  /** The rules still in force, with their remaining `times` (a copy). */
  readonly current: ResolvedFaults
}

function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? (value as readonly T[]) : [value as T]
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
      invalid((error as Error).message)
    }
  }
  return {
    create: list(faults.create).map((rule, i) => resolveCreateFault(rule, `create[${i}]`)),
    stream: list(faults.stream).map((rule, i) => resolveStreamFault(rule, `stream[${i}]`)),
    fail: resolvePredictionFault(faults.fail, 'fail'),
    cancel: resolvePredictionFault(faults.cancel, 'cancel'),
    cadence,
  }
}

/** The prediction-level faults a new prediction gets. */
export interface PredictionFaults {
  fail?: FailFault
  cancel?: CancelFault
  cadence?: ResolvedCadence
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

  /** Uses up one application of the first create rule that has uses left. */
  takeCreate(): CreateFault | undefined {
    return take(this.#faults.create)
  }

  /** Uses up one application of the first stream rule that has uses left. */
  takeStream(): StreamFault | undefined {
    return take(this.#faults.stream)
  }

  /** The prediction-level faults for a prediction created now, using up one of each. */
  takePrediction(): PredictionFaults {
    const { fail, cancel, cadence } = this.#faults
    return {
      ...(fail && take([fail]) ? { fail } : {}),
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
