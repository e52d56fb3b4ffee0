/**
 * Per-subject limits on creates: a rate limit (creates per window) and a cap on predictions
 * running at once, both answered with 429 and `Retry-After`
 * (https://www.rfc-editor.org/rfc/rfc6585#section-4), counted in a {@link LimitStore}.
 *
 * The handler is stateless and the browser streams from Replicate directly, so it only learns
 * that a prediction ended when the browser GETs or cancels it through the route. A subject at
 * the cap therefore has its running predictions checked upstream first (at most `max` GETs, and
 * only after the rate limit let the create through), and the ones that ended free their slot.
 */
import { encodeBase64url } from '../identity/base64url'
import type { LimitStore } from './limit-store'
import { problem } from '../problem'

/** At most `limit` creates per subject in each window of `windowMs`. */
export interface RateLimit {
  /** Creates allowed per window. */
  limit: number
  /** Window length in ms; it starts at the subject's first create. */
  windowMs: number
}

/** Resolved limit settings of one handler. */
export interface LimitSettings {
  rate: RateLimit | undefined
  maxConcurrent: number | undefined
  store: LimitStore
  /** How long a created prediction holds a slot when nobody sees it end. */
  leaseMs: number
  /** How long a slot is held for a create still on its way upstream. */
  reservationMs: number
}

/** `Retry-After` when the concurrency cap is reached: when a slot frees is unknown. */
export const CONCURRENCY_RETRY_AFTER_SECONDS = 5

/** A slot held for one create; see {@link admit}. */
export interface Reservation {
  readonly key: string
  readonly member: string
}

/**
 * Lets one create of `subject` through, or answers 429. Resolves a {@link Reservation} to
 * settle with {@link settle} once the upstream create is done (or `null` when no cap is set).
 *
 * @param ended - `true` when upstream says prediction `id` has ended (used only at the cap).
 */
export async function admit(
  settings: LimitSettings,
  subject: string,
  ended: (id: string) => Promise<boolean>,
): Promise<Reservation | null | Response> {
  const hash = await subjectHash(subject)
  if (settings.rate) {
    const { limit, windowMs } = settings.rate
    const waitMs = await settings.store.hit(`rate:${hash}`, limit, windowMs)
    if (waitMs > 0) {
      return tooMany(
        Math.ceil(waitMs / 1000),
        `At most ${limit} predictions may be created every ${windowMs / 1000} s.`,
      )
    }
  }
  const max = settings.maxConcurrent
  if (max === undefined) return null
  const reservation = {
    key: `active:${hash}`,
    member: `reserved:${encodeBase64url(crypto.getRandomValues(new Uint8Array(12)))}`,
  }
  const { store, reservationMs } = settings
  if (await store.acquire(reservation.key, reservation.member, max, reservationMs)) {
    return reservation
  }
  const running = (await store.members(reservation.key)).filter((m) => m.startsWith('prediction:'))
  const checks = running.map(async (member) => {
    if (await ended(member.slice('prediction:'.length)))
      await store.release(reservation.key, member)
  })
  await Promise.all(checks)
  if (await store.acquire(reservation.key, reservation.member, max, reservationMs)) {
    return reservation
  }
  return tooMany(
    CONCURRENCY_RETRY_AFTER_SECONDS,
    `At most ${max} predictions may run at once; wait for one to finish.`,
  )
}

/**
 * Settles a reservation: the created prediction `id` takes the slot while it runs, or the slot
 * frees when nothing was created (`id` undefined) or the prediction already ended.
 */
export async function settle(
  settings: LimitSettings,
  reservation: Reservation | null,
  id: string | undefined,
  terminal: boolean,
): Promise<void> {
  if (!reservation) return
  if (id === undefined || terminal) {
    await settings.store.release(reservation.key, reservation.member)
  } else {
    await settings.store.replace(
      reservation.key,
      reservation.member,
      `prediction:${id}`,
      settings.leaseMs,
    )
  }
}

/** Frees the slot of prediction `id`, seen ended through a GET or cancel. */
export async function ended(settings: LimitSettings, subject: string, id: string): Promise<void> {
  if (settings.maxConcurrent === undefined) return
  await settings.store.release(`active:${await subjectHash(subject)}`, `prediction:${id}`)
}

/** Store keys carry a digest of the subject, never the app's identifiers themselves. */
async function subjectHash(subject: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(subject))
  return encodeBase64url(new Uint8Array(digest))
}

function tooMany(seconds: number, detail: string): Response {
  return problem(429, 'Too many requests', detail, { 'Retry-After': String(seconds) })
}
