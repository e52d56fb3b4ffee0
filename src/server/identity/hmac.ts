/**
 * HMAC-SHA-256 (RFC 2104) through Web Crypto, the one primitive behind prediction references and
 * the anonymous session cookie. Every message starts with a purpose label, so a MAC made for one
 * purpose never verifies as the other (domain separation).
 */

const encoder = new TextEncoder()

/** What a MAC is for; part of the signed bytes. */
export type MacPurpose = 'reference' | 'session'

/** Length of a MAC in bytes (SHA-256's full output, untruncated). */
export const MAC_BYTES = 32

/** Signs and verifies with the handler's secrets: the first signs, every one verifies. */
export class MacKeys {
  readonly #keys = new Map<string, Promise<CryptoKey>>()

  /** The MAC of `parts` under `secret`, for `purpose`. */
  async sign(
    secret: string,
    purpose: MacPurpose,
    parts: readonly Uint8Array[],
  ): Promise<Uint8Array> {
    const mac = await crypto.subtle.sign('HMAC', await this.#key(secret), message(purpose, parts))
    return new Uint8Array(mac)
  }

  /**
   * `true` when `mac` is the MAC of `parts` under one of `secrets`. `crypto.subtle.verify`
   * compares in constant time, so the check leaks nothing about the expected MAC.
   */
  async verify(
    secrets: readonly string[],
    purpose: MacPurpose,
    parts: readonly Uint8Array[],
    mac: Uint8Array,
  ): Promise<boolean> {
    const data = message(purpose, parts)
    for (const secret of secrets) {
      const key = await this.#key(secret)
      if (await crypto.subtle.verify('HMAC', key, mac as BufferSource, data)) return true
    }
    return false
  }

  #key(secret: string): Promise<CryptoKey> {
    let key = this.#keys.get(secret)
    if (!key) {
      key = crypto.subtle.importKey(
        'raw',
        encoder.encode(secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign', 'verify'],
      )
      // Secrets come from options or one environment variable: a handful per process.
      this.#keys.set(secret, key)
    }
    return key
  }
}

/**
 * `label \0 (length-prefixed part)*`: the length prefixes make the encoding unambiguous, so
 * subject `"ab"` + id `"c"` never signs the same bytes as subject `"a"` + id `"bc"`.
 */
function message(purpose: MacPurpose, parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const label = encoder.encode(`react-prediction-stream/${purpose}/v1\0`)
  let size = label.length
  for (const part of parts) size += 4 + part.length
  const bytes = new Uint8Array(size)
  const view = new DataView(bytes.buffer)
  bytes.set(label, 0)
  let offset = label.length
  for (const part of parts) {
    view.setUint32(offset, part.length)
    bytes.set(part, offset + 4)
    offset += 4 + part.length
  }
  return bytes
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}
