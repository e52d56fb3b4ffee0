/**
 * The two secrets the handler needs, read when a request arrives rather than when the route
 * module loads: a framework build (`next build`) imports route files without production
 * secrets, and must not fail for it.
 */

/** Environment variable holding the Replicate API token by default. */
export const TOKEN_VARIABLE = 'REPLICATE_API_TOKEN'

/** Environment variable holding the reference-signing secret by default. */
export const SECRET_VARIABLE = 'PREDICTION_HANDLER_SECRET'

/** Shortest secret accepted: 32 characters, as many bits as the HMAC-SHA-256 output. */
export const MIN_SECRET_LENGTH = 32

/** A variable of `process.env`, where there is one (Node, Bun, Deno's Node compatibility). */
export function environmentVariable(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env
  const value = env?.[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * `true` when `text` contains `token`. Replicate tokens are 40 characters, so a plain substring
 * test is exact; a token shorter than 8 characters (a test stub) would match ordinary words, so
 * it only counts when it stands alone, not inside a longer run of token characters.
 */
export function mentionsToken(text: string, token: string): boolean {
  if (token.length >= 8) return text.includes(token)
  let from = 0
  for (;;) {
    const index = text.indexOf(token, from)
    if (index === -1) return false
    const before = text[index - 1]
    const after = text[index + token.length]
    if (!isTokenCharacter(before) && !isTokenCharacter(after)) return true
    from = index + 1
  }
}

function isTokenCharacter(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_-]/.test(c)
}
