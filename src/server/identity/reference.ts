/**
 * Prediction references: what the browser gets instead of Replicate's prediction id.
 *
 * A reference is `base64url(version ‖ expiry ‖ prediction id ‖ MAC)`, the MAC being
 * HMAC-SHA-256 over those bytes and the caller's subject (see `hmac.ts`). Holding one proves that
 * this handler created the prediction for that subject, until the expiry: no database and no
 * shared memory, so every instance that knows the secret agrees. The id inside is not secret
 * (it is useless without the API token); what the MAC protects is the binding.
 */
import { decodeBase64url, encodeBase64url } from './base64url'
import { MAC_BYTES, type MacKeys, utf8 } from './hmac'

const FORMAT_VERSION = 1
/** version (1 byte) + expiry in Unix seconds (4 bytes, good until 2106). */
const HEADER_BYTES = 5
/** Replicate ids are 26 characters of `[a-z0-9]`; allow any id that is safe in a URL path. */
const PREDICTION_ID = /^[A-Za-z0-9_-]{1,128}$/
/** Longest reference accepted: header + 128-byte id + MAC, base64url-encoded. */
const MAX_REFERENCE_LENGTH = Math.ceil(((HEADER_BYTES + 128 + MAC_BYTES) * 4) / 3)

/** `true` for an upstream prediction id the handler can embed in a reference and a path. */
export function isPredictionId(id: unknown): id is string {
  return typeof id === 'string' && PREDICTION_ID.test(id)
}

/** Signs a reference to prediction `id` for `subject`, valid until `expiresAtMs`. */
export async function signReference(
  keys: MacKeys,
  secret: string,
  subject: string,
  id: string,
  expiresAtMs: number,
): Promise<string> {
  const payload = new Uint8Array(HEADER_BYTES + id.length)
  payload[0] = FORMAT_VERSION
  new DataView(payload.buffer).setUint32(1, Math.ceil(expiresAtMs / 1000))
  payload.set(utf8(id), HEADER_BYTES)
  const mac = await keys.sign(secret, 'reference', [payload, utf8(subject)])
  const bytes = new Uint8Array(payload.length + mac.length)
  bytes.set(payload, 0)
  bytes.set(mac, payload.length)
  return encodeBase64url(bytes)
}

/**
 * The prediction id inside `reference` when it was signed with one of `secrets` for `subject`
 * and has not expired at `nowMs`; otherwise `undefined`. Malformed, foreign, tampered and
 * expired references are indistinguishable to the caller on purpose.
 */
export async function verifyReference(
  keys: MacKeys,
  secrets: readonly string[],
  subject: string,
  reference: string,
  nowMs: number,
): Promise<string | undefined> {
  if (reference.length > MAX_REFERENCE_LENGTH) return undefined
  const bytes = decodeBase64url(reference)
  if (!bytes || bytes.length <= HEADER_BYTES + MAC_BYTES || bytes[0] !== FORMAT_VERSION) {
    return undefined
  }
  const payload = bytes.subarray(0, bytes.length - MAC_BYTES)
  const mac = bytes.subarray(bytes.length - MAC_BYTES)
  if (!(await keys.verify(secrets, 'reference', [payload, utf8(subject)], mac))) return undefined
  const expiresAtMs = new DataView(payload.buffer, payload.byteOffset).getUint32(1) * 1000
  if (nowMs >= expiresAtMs) return undefined
  const id = new TextDecoder().decode(payload.subarray(HEADER_BYTES))
  return isPredictionId(id) ? id : undefined
}
