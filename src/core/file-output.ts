/**
 * One output item that is a file: Replicate streams the files of image, audio and video models
 * as URLs, or as `data:` URIs when the prediction was created with `Prefer: wait` and the file
 * is small (https://replicate.com/docs/topics/predictions/output-files).
 */
export type FileOutput =
  | {
      /** A file to fetch from its URL. */
      readonly type: 'url'
      /** The `http(s):` URL, as the model gave it. */
      readonly url: string
    }
  | {
      /** A file inlined in a `data:` URI. */
      readonly type: 'data'
      /** The whole `data:` URI, usable as a URL (an `<img src>`, a download link). */
      readonly url: string
      /** The `data:` URI's media type, e.g. `image/png` (`text/plain` when it names none). */
      readonly mediaType: string
    }

/**
 * The file an output item stands for, or `undefined` for any other item (a token of text).
 * An item is a file when it is a whole `http(s):` URL or `data:` URI, with no white space.
 */
export function fileOutputOf(item: string): FileOutput | undefined {
  if (/\s/.test(item)) return undefined
  if (/^data:/i.test(item)) {
    const header = item.slice(5, item.indexOf(',') === -1 ? undefined : item.indexOf(','))
    const mediaType = header.split(';')[0]?.trim().toLowerCase() || 'text/plain'
    return { type: 'data', url: item, mediaType }
  }
  return /^https?:\/\/[^/]/i.test(item) && URL.canParse(item)
    ? { type: 'url', url: item }
    : undefined
}
