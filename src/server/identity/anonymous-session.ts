/**
 * The default caller identity when the app passes no `authorize`: an anonymous session per
 * browser, carried by a signed cookie that the handler sets on the first create.
 *
 * The cookie is `HttpOnly` (page scripts cannot read or exfiltrate it), `SameSite=Lax` (a
 * cross-site POST does not carry it), scoped to the endpoint's path, `Secure` on https, and has no
 * `Max-Age`, so it ends with the browser session
 * (https://httpwg.org/specs/rfc6265.html#sane-set-cookie). It gives ownership, not identity: a
 * client that drops it simply starts a new session, so per-subject limits only bind callers the
 * app identifies itself (see docs/security.md).
 */
import { decodeBase64url, encodeBase64url } from './base64url'
import { MAC_BYTES, type MacKeys, utf8 } from './hmac'

/** Name of the anonymous session cookie. */
export const SESSION_COOKIE = 'prediction-session'

const SESSION_ID_BYTES = 16

/** The subject of a valid session cookie on `request`, or `undefined`. */
export async function readSession(
  request: Request,
  keys: MacKeys,
  secrets: readonly string[],
): Promise<string | undefined> {
  const value = cookieValue(request.headers.get('cookie'), SESSION_COOKIE)
  const [id = '', mac = ''] = value?.split('.') ?? []
  const macBytes = decodeBase64url(mac)
  const idBytes = decodeBase64url(id)
  if (idBytes?.length !== SESSION_ID_BYTES || macBytes?.length !== MAC_BYTES) return undefined
  if (!(await keys.verify(secrets, 'session', [utf8(id)], macBytes))) return undefined
  return subjectOf(id)
}

/** A fresh session: its subject and the `Set-Cookie` value that hands it to the browser. */
export async function newSession(
  request: Request,
  keys: MacKeys,
  secret: string,
  path: string,
): Promise<{ subject: string; setCookie: string }> {
  const id = encodeBase64url(crypto.getRandomValues(new Uint8Array(SESSION_ID_BYTES)))
  const mac = encodeBase64url(await keys.sign(secret, 'session', [utf8(id)]))
  const secure = new URL(request.url).protocol === 'https:' ? '; Secure' : ''
  return {
    subject: subjectOf(id),
    setCookie: `${SESSION_COOKIE}=${id}.${mac}; Path=${path || '/'}; HttpOnly; SameSite=Lax${secure}`,
  }
}

function subjectOf(sessionId: string): string {
  return `anonymous:${sessionId}`
}

function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined
  for (const pair of header.split(';')) {
    const index = pair.indexOf('=')
    if (index > 0 && pair.slice(0, index).trim() === name) return pair.slice(index + 1).trim()
  }
  return undefined
}
