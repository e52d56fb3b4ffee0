/**
 * The `serve` command's server flags (the fault flags included): their `util.parseArgs`
 * definitions, their help text, and their translation into server options.
 */
import type { Faults } from '../faults/fault-set'
import {
  NAMED_CADENCES,
  type BurstyCadence,
  type CadenceOption,
  type RateCadence,
} from '../predictions/cadence'
import {
  FAULT_FLAG_OPTIONS,
  FAULT_FLAG_USAGE,
  faultsFromFlags,
  type FaultFlagValues,
} from './fault-flags'
import { optionalInteger, UsageError } from './flag-values'

/** `util.parseArgs` definitions of the flags below. */
export const SERVER_FLAG_OPTIONS = {
  'stream-port': { type: 'string' },
  seed: { type: 'string' },
  'idle-timeout': { type: 'string' },
  'close-after-done': { type: 'boolean' },
  'stream-logs': { type: 'boolean' },
  'api-cors': { type: 'boolean' },
  'allow-origin': { type: 'string', multiple: true },
  'min-cancel-after': { type: 'string' },
  ...FAULT_FLAG_OPTIONS,
} as const

/** Help text of the flags above. */
export const SERVER_FLAG_USAGE = `  --stream-port <n>   TCP port of the stream host (default: the API's port + 1,
                      so 5175; a free port when --port is 0)
  --seed <n>          seed of ids, bursts and split writes (default random)
  --idle-timeout <ms> stream idle timeout before ":408" (default 30000)
  --close-after-done  end streams right after done (Replicate does not)
  --stream-logs       also send "logs" events on streams
  --api-cors          send CORS headers on /v1 (Replicate does not)
  --allow-origin <o>  let pages on origin o (e.g. http://localhost:5173) call the
                      prediction endpoint; repeat for more
  --min-cancel-after <ms>  smallest Cancel-After accepted (default 5000)

${FAULT_FLAG_USAGE}`

/** `--cadence` values: names, `tps:<n>`, `steady:<firstMs>,<intervalMs>`, `bursty:<min>-<max>,<ms>`. */
export const CADENCE_HELP = `${Object.keys(NAMED_CADENCES).join(', ')}, tps:<n>, steady:<first-ms>,<interval-ms>, bursty:<min>-<max>,<interval-ms>`

type FlagValues = FaultFlagValues & {
  [K in keyof typeof SERVER_FLAG_OPTIONS]?: string | boolean | string[]
}

/**
 * The server options the flags set: a subset of `ReplicateServerOptions` (declared here rather
 * than imported, so the flags do not depend on the server that uses them).
 */
export interface ServerFlagOptions {
  faults: Faults
  seed?: number
  idleTimeoutMs?: number
  minCancelAfterMs?: number
  closeAfterDone: boolean
  streamLogs: boolean
  apiCors: boolean
  allowedOrigins: string[]
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

/** `--allow-origin` values, each an exact origin. */
function allowedOrigins(values: FlagValues): string[] {
  const origins = (values['allow-origin'] as string[] | undefined) ?? []
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new UsageError(
        `--allow-origin must be an origin like http://localhost:5173 (no path or trailing /), got "${origin}"`,
      )
    }
  }
  return origins
}

/**
 * Translates the flags into server options (faults included).
 *
 * @throws UsageError for a malformed value.
 */
export function serverOptionsFromFlags(values: FlagValues): ServerFlagOptions {
  const faults = faultsFromFlags(values)
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
    allowedOrigins: allowedOrigins(values),
  }
}
