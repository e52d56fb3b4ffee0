/**
 * The create request's JSON body: read from the request stream with a byte cap, or taken from
 * the app when its own middleware already read it (`handler(request, { body })`), then checked
 * for nesting before anything walks it.
 */
import { PredictionHandlerError } from '../handler-error'
import { textTooDeep, valueTooDeep } from './json-depth'
import { problem } from '../problem'
import { BodyTooLargeError, readCapped } from './read-capped'

/** What the app may hand in: raw text or bytes, or the value its JSON middleware parsed. */
export type HandedBody = string | Uint8Array | ArrayBuffer | object

/**
 * The parsed body, or a problem response: 413 past `maxBytes`, 400 for invalid, unreadable or
 * too deeply nested JSON.
 *
 * @throws PredictionHandlerError `body_already_read` when the request body was consumed and no
 *   body was handed in: an app bug the caller cannot fix, so it is logged and answered 500.
 */
export async function readJsonBody(
  request: Request,
  handed: { body?: HandedBody } | undefined,
  maxBytes: number,
): Promise<{ value: unknown } | Response> {
  if (handed?.body !== undefined) return fromHanded(handed.body, maxBytes)
  if (request.bodyUsed) {
    throw new PredictionHandlerError(
      'body_already_read',
      500,
      'The request body was already read before the prediction handler ran. Hand it in: ' +
        '`handler(request, { body })` with the text or the parsed JSON.',
    )
  }
  let text: string
  try {
    text = await readCapped(request.body, request.headers.get('content-length'), maxBytes)
  } catch (error) {
    if (error instanceof BodyTooLargeError) return tooLarge(maxBytes)
    return problem(400, 'Invalid request body', 'The request body could not be read.')
  }
  return parse(text)
}

function fromHanded(body: HandedBody, maxBytes: number): { value: unknown } | Response {
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer) {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body)
    if (bytes.byteLength > maxBytes) return tooLarge(maxBytes)
    return parse(new TextDecoder().decode(bytes))
  }
  if (valueTooDeep(body)) return tooDeep()
  return { value: body }
}

function parse(text: string): { value: unknown } | Response {
  if (textTooDeep(text)) return tooDeep()
  try {
    return { value: JSON.parse(text) }
  } catch {
    return problem(400, 'Invalid JSON', 'The request body is not valid JSON.')
  }
}

function tooDeep(): Response {
  return problem(400, 'Invalid JSON', 'The request body nests JSON too deeply.')
}

function tooLarge(maxBytes: number): Response {
  return problem(413, 'Request body too large', `The request body exceeds ${maxBytes} bytes.`)
}
