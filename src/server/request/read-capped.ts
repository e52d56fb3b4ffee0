/**
 * Reads a body as text while counting bytes, and stops at a cap. `Content-Length` may be absent
 * (chunked) or wrong, so the header only allows an early refusal; the count is what holds.
 */

/** Thrown (and caught by callers) when a body passes its cap; the rest is never read. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError'
}

/**
 * The text of `body` (UTF-8), or a {@link BodyTooLargeError} rejection once more than
 * `maxBytes` arrive, after canceling the stream so the sender stops. Other read errors
 * (a reset connection, an abort) reject as they are.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  contentLength: string | null,
  maxBytes: number,
): Promise<string> {
  if (Number(contentLength) > maxBytes) {
    await body?.cancel().catch(() => {})
    throw new BodyTooLargeError(`The body exceeds ${maxBytes} bytes.`)
  }
  if (!body) return ''
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.byteLength
    if (size > maxBytes) {
      void reader.cancel().catch(() => {})
      throw new BodyTooLargeError(`The body exceeds ${maxBytes} bytes.`)
    }
    text += decoder.decode(value, { stream: true })
  }
}
