/**
 * Fault injection: what the local server should do wrong, and for how many requests, connections
 * or predictions. One programmatic object (`createReplicateApp({ faults })`,
 * `server.faults.set(…)`), mirrored by CLI flags. Everything random is drawn from the server's
 * seeded generator, so a seed reproduces a run.
 */
import type { CadenceOption, ResolvedCadence } from './cadence'

/** Every rule below applies `times` times (requests, connections or predictions), default: always. */
export interface Repeated {
  /** How many requests/connections/predictions the rule applies to; default `Infinity`. */
  times?: number
}

/**
 * Answer the create endpoints (models, versions, deployments) with an HTTP error instead of
 * creating a prediction. Checked after authentication, before the body is read, like a rate
 * limiter or a billing check. Default bodies are Replicate's recorded ones (§1.3) for 402, 422 and
 * 429; for 5xx they are problem+json bodies of our own (Replicate's are not recorded).
 */
export interface CreateFault extends Repeated {
  /** HTTP status, 400–599, e.g. 429, 500, 502, 503, 402, 422. */
  status: number
  /**
   * Seconds for `Retry-After`. Default `1` for 429 (Replicate does not document the header; all
   * official clients honour it, §1.3), none otherwise.
   */
  retryAfterSeconds?: number
  /** Body to send instead of the default: a string as-is, anything else as JSON. */
  body?: unknown
  /** `Content-Type` of `body`. Default `application/problem+json`. */
  contentType?: string
}

/**
 * A position in a stream response: after `events` complete events (`output`, `logs`, `error`,
 * `done`; the `: hi` comment is not an event) plus `bytes` further bytes. `{ bytes: 7 }` is byte 7
 * of the body (inside the first event, since `: hi\n\n` is 6 bytes); `{ events: 3 }` is right after
 * the third event; `{ events: 3, bytes: 5 }` is 5 bytes into the fourth, which can fall inside a
 * multi-byte UTF-8 character.
 */
export interface StreamCut {
  /** Complete events first, default `0`. */
  events?: number
  /** Then this many bytes, default `0`. */
  bytes?: number
}

/** What happens to the next stream connections (GET on a stream URL that exists). */
export interface StreamFault extends Repeated {
  /** Answer with this HTTP status (400–599) instead of a stream (§5 C-9). */
  status?: number
  /** Body of a `status` answer: a string as-is, anything else as JSON. Default problem+json. */
  body?: unknown
  /** Hold the response (status line included) for this many ms before the first byte. */
  firstByteDelayMs?: number
  /** Cut the connection at this point (§2.5: EOF without `done`, C-7, C-36). */
  dropAfter?: StreamCut
  /**
   * How {@link StreamFault.dropAfter} cuts: `'eof'` (default) ends the body cleanly, the way a
   * proxy's idle cut looks (the official JS client then ends normally, #367); `'reset'` destroys the
   * socket (TCP RST), which fetch reports as a network error.
   */
  dropMode?: 'eof' | 'reset'
  /** Stop writing at this point but keep the connection open, without even the idle 408. */
  stallAfter?: StreamCut
  /**
   * Write every frame in pieces of `minBytes`–`maxBytes` bytes (seeded), one network write each,
   * so clients see chunk boundaries inside events and inside UTF-8 characters (C-5, C-6, C-23).
   */
  splitWrites?: { minBytes: number; maxBytes: number }
  /**
   * On a resumed connection (`Last-Event-ID`), also resend this many events before the one asked
   * for: duplicates a client must drop by id (§4 item 6).
   */
  resumeOverlap?: number
}

/** Make predictions fail after `afterOutputs` outputs: `error` then `done {"reason": "error"}`. */
export interface FailFault extends Repeated {
  afterOutputs: number
  /** The error text. Default `"Simulated failure after N outputs"`. */
  detail?: string
}

/** Cancel predictions from the server side after `afterOutputs` outputs (`done {"reason": "canceled"}`). */
export interface CancelFault extends Repeated {
  afterOutputs: number
}

/**
 * The whole fault set. `create` and `stream` rules are used in order: each request takes the
 * first rule with uses left, so `[{ status: 429, times: 2 }]` fails two creates and lets the third
 * through, and `[{ dropAfter: { events: 2 }, times: 1 }, { status: 500, times: 1 }]` cuts the first
 * connection and refuses the second. `fail`, `cancel` and `cadence` apply to predictions created
 * while they are set.
 */
export interface Faults {
  create?: CreateFault | readonly CreateFault[]
  stream?: StreamFault | readonly StreamFault[]
  fail?: FailFault | null
  cancel?: CancelFault | null
  /** Output cadence of new predictions, instead of the server's `cadence` option. */
  cadence?: CadenceOption
}

/** A rule with its remaining uses. */
export type Counted<T> = T & { times: number }

/** {@link Faults} after validation, with remaining uses. */
export interface ResolvedFaults {
  create: Counted<CreateFault>[]
  stream: Counted<StreamFault>[]
  fail: Counted<FailFault> | null
  cancel: Counted<CancelFault> | null
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
