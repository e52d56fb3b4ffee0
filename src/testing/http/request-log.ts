/**
 * The requests a server received, in arrival order, for tests to assert on (what a client sent:
 * method, path, `Last-Event-ID`, `Prefer`, …, and what it got back).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Which listener a request arrived on: the API (`/v1`, route handler) or the stream host. */
export type RequestHost = 'api' | 'stream'

/** One received request. */
export interface RecordedRequest {
  /** 0, 1, 2, … in arrival order across both listeners. */
  readonly seq: number
  /** The listener it arrived on. */
  readonly host: RequestHost
  /** `GET`, `POST`, `OPTIONS`, … */
  readonly method: string
  /** Path and query as received, e.g. `/v1/streams/abc?last_event_id=1%3A0`. */
  readonly path: string
  /** Request headers, names lower-cased, repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  /** The response status once the head has been sent, else `undefined`. */
  readonly status: number | undefined
}

/** Oldest entries are dropped beyond this, so a long-running dev server does not grow forever. */
export const MAX_RECORDED_REQUESTS = 10_000

interface Entry extends Omit<RecordedRequest, 'status'> {
  status: number | undefined
  res: ServerResponse | undefined
}

/** Records requests; see {@link RecordedRequest}. */
export class RequestLog {
  readonly #entries: Entry[] = []
  #seq = 0

  /** Records `req`, and its status when `res` has sent its head. */
  record(req: IncomingMessage, res: ServerResponse, host: RequestHost, path: string): void {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
    }
    const entry: Entry = {
      seq: this.#seq++,
      host,
      method: req.method ?? 'GET',
      path,
      headers,
      status: undefined,
      res,
    }
    // Keep the response only while it is open; the status is copied when it finishes or closes.
    const settle = (): void => {
      entry.status = res.headersSent ? res.statusCode : undefined
      entry.res = undefined
    }
    res.once('finish', settle)
    res.once('close', settle)
    this.#entries.push(entry)
    if (this.#entries.length > MAX_RECORDED_REQUESTS) this.#entries.shift()
  }

  /** Copies of the recorded requests, oldest first. */
  list(): RecordedRequest[] {
    return this.#entries.map(({ res, ...entry }) => ({
      ...entry,
      headers: { ...entry.headers },
      status: res ? (res.headersSent ? res.statusCode : undefined) : entry.status,
    }))
  }
}
