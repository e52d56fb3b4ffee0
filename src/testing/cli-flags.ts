/**
 * The `serve` command's server and fault flags: their `util.parseArgs` definitions, their help
 * text, and their translation into {@link ReplicateServerOptions} and {@link Faults}, so every
 * programmatic fault can also be set from the command line.
 */
import type { BurstyCadence, CadenceOption, RateCadence } from './cadence'
import { NAMED_CADENCES } from './cadence'
import type { CreateFault, Faults, StreamFault } from './faults'
import type { ReplicateServerOptions } from './options'

/** Thrown for bad arguments; `main` prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {}

/** `util.parseArgs` definitions of the flags below. */
export const SERVER_FLAG_OPTIONS = {
  'stream-port': { type: 'string' },
  seed: { type: 'string' },
  'idle-timeout': { type: 'string' },
  'close-after-done': { type: 'boolean' },
  'stream-logs': { type: 'boolean' },
  'api-cors': { type: 'boolean' },
  'min-cancel-after': { type: 'string' },
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

/** Help text of the flags above. */
export const SERVER_FLAG_USAGE = `  --stream-port <n>   TCP port of the stream host (default 0: a free port)
  --seed <n>          seed of ids, bursts and split writes (default random)
  --idle-timeout <ms> stream idle timeout before ":408" (default 30000)
  --close-after-done  end streams right after done (Replicate does not)
  --stream-logs       also send "logs" events on streams
  --api-cors          send CORS headers on /v1 (Replicate does not)
  --min-cancel-after <ms>  smallest Cancel-After accepted (default 5000)

Faults (deterministic under --seed):
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

/** `--cadence` values: names, `tps:<n>`, `steady:<firstMs>,<intervalMs>`, `bursty:<min>-<max>,<ms>`. */
export const CADENCE_HELP = `${Object.keys(NAMED_CADENCES).join(', ')}, tps:<n>, steady:<first-ms>,<interval-ms>, bursty:<min>-<max>,<interval-ms>`

type FlagValues = { [K in keyof typeof SERVER_FLAG_OPTIONS]?: string | boolean | string[] }

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

function optionalInteger(flag: string, value: unknown, max?: number): number | undefined {
  return typeof value === 'string' ? nonNegativeInteger(flag, value, max) : undefined
}

function status(flag: string, value: string): number {
  const code = nonNegativeInteger(flag, value, 599)
  if (code < 400) throw new UsageError(`${flag} must be an HTTP error status (400–599)`)
  return code
}

/**
 * Parses `--cadence`.
 *
 * @throws UsageError for anything but the forms of {@link CADENCE_HELP}.
 */
export function parseCadence(value: string): CadenceOption {
  if (Object.hasOwn(NAMED_CADENCES, value)) return value as keyof typeof NAMED_CADENCES
  const number = '(\\d+(?:\\.\\d+)?)'
  let match = new RegExp(`^tps:${number}$`).exec(value)
  if (match && Number(match[1]) > 0) return { tokensPerSecond: Number(match[1]) } as RateCadence
  match = new RegExp(`^steady:${number},${number}$`).exec(value)
  if (match) return { firstOutputDelayMs: Number(match[1]), outputIntervalMs: Number(match[2]) }
  match = new RegExp(`^bursty:(\\d+)-(\\d+),${number}$`).exec(value)
  if (match && Number(match[1]) >= 1 && Number(match[1]) <= Number(match[2])) {
    return {
      burstSize: { min: Number(match[1]), max: Number(match[2]) },
      burstIntervalMs: Number(match[3]),
    } as BurstyCadence
  }
  throw new UsageError(`--cadence must be one of ${CADENCE_HELP}`)
}

function createFaults(values: FlagValues): CreateFault[] {
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

function streamFault(values: FlagValues): StreamFault | undefined {
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
 * Translates the flags into server options (faults included).
 *
 * @throws UsageError for a malformed value.
 */
export function serverOptionsFromFlags(
  values: FlagValues,
): ReplicateServerOptions & { faults: Faults } {
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
  const idle = optionalInteger('--idle-timeout', values['idle-timeout'])
  if (idle === 0) throw new UsageError('--idle-timeout must be > 0')
  const seed = optionalInteger('--seed', values.seed, 0xffffffff)
  const minCancelAfter = optionalInteger('--min-cancel-after', values['min-cancel-after'])
  return {
    faults,
    ...(seed === undefined ? {} : { seed }),
    ...(idle === undefined ? {} : { idleTimeoutMs: idle }),
    ...(minCancelAfter === undefined ? {} : { minCancelAfterMs: minCancelAfter }),
    closeAfterDone: values['close-after-done'] === true,
    streamLogs: values['stream-logs'] === true,
    apiCors: values['api-cors'] === true,
  }
}
