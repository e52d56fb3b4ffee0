/**
 * The `serve` command's fault flags: their `util.parseArgs` definitions, their help text, and
 * their translation into {@link Faults}, so every programmatic fault (`src/testing/faults/`) can
 * also be set from the command line.
 */
import type { CreateFault } from '../faults/create-fault'
import type { Faults } from '../faults/fault-set'
import type { StreamFault } from '../faults/stream-fault'
import { nonNegativeInteger, optionalInteger, UsageError } from './flag-values'

/** `util.parseArgs` definitions of the fault flags. */
export const FAULT_FLAG_OPTIONS = {
  'fail-after': { type: 'string' },
  'fail-detail': { type: 'string' },
  'cancel-after-outputs': { type: 'string' },
  'create-error': { type: 'string', multiple: true },
  'retry-after': { type: 'string' },
  'stream-status': { type: 'string' },
  'first-byte-delay': { type: 'string' },
  'drop-after-events': { type: 'string' },
  'drop-after-bytes': { type: 'string' },
  'drop-mode': { type: 'string' },
  'stall-after-events': { type: 'string' },
  'stall-after-bytes': { type: 'string' },
  'split-writes': { type: 'string' },
  'resume-overlap': { type: 'string' },
  'stream-fault-times': { type: 'string' },
} as const

/** Help text of the fault flags. */
export const FAULT_FLAG_USAGE = `Faults (deterministic under --seed):
  --fail-after <n>            fail every prediction after n outputs
  --fail-detail <text>        the error text of --fail-after
  --cancel-after-outputs <n>  cancel every prediction after n outputs (server side)
  --create-error <s>[x<n>]    answer the next n creates (default: all) with HTTP status s;
                              repeat for a sequence, e.g. --create-error 503x1 --create-error 429x2
  --retry-after <s>           Retry-After seconds of those answers (default 1 for 429)
  --stream-status <s>         answer stream URLs with HTTP status s
  --first-byte-delay <ms>     hold stream responses this long before the first byte
  --drop-after-events <n>     cut streams after n events ...
  --drop-after-bytes <n>      ... plus n bytes (alone: after n body bytes)
  --drop-mode eof|reset       clean end of body (default) or TCP reset
  --stall-after-events <n>    stop writing after n events (plus --stall-after-bytes <n>)
  --split-writes <min>-<max>  write streams in pieces of min-max bytes
  --resume-overlap <n>        resend n events before Last-Event-ID on resume
  --stream-fault-times <n>    apply the stream faults to the next n connections (default all)
`

/** Values `util.parseArgs` gives for the fault flags. */
export type FaultFlagValues = {
  [K in keyof typeof FAULT_FLAG_OPTIONS]?: string | boolean | string[]
}

function status(flag: string, value: string): number {
  const code = nonNegativeInteger(flag, value, 599)
  if (code < 400) throw new UsageError(`${flag} must be an HTTP error status (400–599)`)
  return code
}

function createFaults(values: FaultFlagValues): CreateFault[] {
  const retryAfter = optionalInteger('--retry-after', values['retry-after'])
  return ((values['create-error'] as string[] | undefined) ?? []).map((spec) => {
    const match = /^(\d+)(?:x(\d+))?$/.exec(spec)
    if (!match) throw new UsageError(`--create-error must look like 429 or 429x2, got "${spec}"`)
    return {
      status: status('--create-error', match[1]!),
      ...(match[2] === undefined ? {} : { times: Math.max(1, Number(match[2])) }),
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    }
  })
}

function streamFault(values: FaultFlagValues): StreamFault | undefined {
  const fault: StreamFault = {}
  if (typeof values['stream-status'] === 'string') {
    fault.status = status('--stream-status', values['stream-status'])
  }
  const delay = optionalInteger('--first-byte-delay', values['first-byte-delay'])
  if (delay !== undefined) fault.firstByteDelayMs = delay
  const dropEvents = optionalInteger('--drop-after-events', values['drop-after-events'])
  const dropBytes = optionalInteger('--drop-after-bytes', values['drop-after-bytes'])
  if (dropEvents !== undefined || dropBytes !== undefined) {
    fault.dropAfter = { events: dropEvents ?? 0, bytes: dropBytes ?? 0 }
  }
  const mode = values['drop-mode']
  if (mode !== undefined) {
    if (mode !== 'eof' && mode !== 'reset') throw new UsageError('--drop-mode must be eof or reset')
    fault.dropMode = mode
  }
  const stallEvents = optionalInteger('--stall-after-events', values['stall-after-events'])
  const stallBytes = optionalInteger('--stall-after-bytes', values['stall-after-bytes'])
  if (stallEvents !== undefined || stallBytes !== undefined) {
    fault.stallAfter = { events: stallEvents ?? 0, bytes: stallBytes ?? 0 }
  }
  if (typeof values['split-writes'] === 'string') {
    const match = /^(\d+)-(\d+)$/.exec(values['split-writes'])
    if (!match || Number(match[1]) < 1 || Number(match[1]) > Number(match[2])) {
      throw new UsageError('--split-writes must look like 1-8 (1 ≤ min ≤ max)')
    }
    fault.splitWrites = { minBytes: Number(match[1]), maxBytes: Number(match[2]) }
  }
  const overlap = optionalInteger('--resume-overlap', values['resume-overlap'])
  if (overlap !== undefined) fault.resumeOverlap = overlap
  if (Object.keys(fault).length === 0) return undefined
  const times = optionalInteger('--stream-fault-times', values['stream-fault-times'])
  return times === undefined ? fault : { ...fault, times: Math.max(1, times) }
}

/**
 * Translates the fault flags into a fault set.
 *
 * @throws UsageError for a malformed value.
 */
export function faultsFromFlags(values: FaultFlagValues): Faults {
  const faults: Faults = {}
  const create = createFaults(values)
  if (create.length > 0) faults.create = create
  const stream = streamFault(values)
  if (stream) faults.stream = stream
  const failAfter = optionalInteger('--fail-after', values['fail-after'])
  if (failAfter !== undefined) {
    faults.fail = {
      afterOutputs: failAfter,
      ...(typeof values['fail-detail'] === 'string' ? { detail: values['fail-detail'] } : {}),
    }
  }
  const cancelAfter = optionalInteger('--cancel-after-outputs', values['cancel-after-outputs'])
  if (cancelAfter !== undefined) faults.cancel = { afterOutputs: cancelAfter }
  return faults
}
