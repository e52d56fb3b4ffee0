/**
 * The floor for the local server's capacity bench: a bare `node:http` server that writes the
 * same bytes on the same schedule as the local server, and nothing else (no validation, no
 * state for `GET`, no replay, no faults, no idle timeout). It answers only what the bench's
 * clients use: `POST /v1/models/local/echo/predictions` (`created_at`, `urls.stream`) and the
 * stream. Whatever it cannot hold, the local server cannot either: the rest is the kernel's
 * loopback TCP, `node:http`'s chunked writes and the clients on the same cores.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A running reference server. */
export interface ReferenceServer {
  apiUrl: string
  close(): Promise<void>
}

/** One stream: its items, its subscriber (if connected yet) and the bytes written before that. */
interface Run {
  readonly items: readonly string[]
  res: ServerResponse | undefined
  pending: string
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

/**
 * Starts the reference server: the first output `firstOutputDelayMs` after creation, then one
 * every `1000 / tokensPerSecond` ms on a running target that restarts after a stall longer than
 * an interval, with nchan ids, then `done`: the local server's cadence, framing and timers.
 */
export async function startReferenceServer(cadence: {
  tokensPerSecond: number
  firstOutputDelayMs: number
}): Promise<ReferenceServer> {
  const intervalMs = 1000 / cadence.tokensPerSecond
  const runs = new Map<string, Run>()
  const streams = createServer((req: IncomingMessage, res: ServerResponse) => {
    const run = runs.get(req.url ?? '')
    if (!run) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
    })
    res.socket?.setNoDelay(true)
    res.write(`: hi\n\n${run.pending}`)
    run.pending = ''
    run.res = res
  })
  const streamPort = await listen(streams)

  function start(run: Run): void {
    let index = 0
    let lastSecond = -1
    let tag = 0
    let dueAt = performance.now() + cadence.firstOutputDelayMs
    const send = (frame: string) => {
      if (run.res) run.res.write(frame)
      else run.pending += frame
    }
    const id = () => {
      const second = Math.max(Math.floor(Date.now() / 1000), lastSecond)
      tag = second === lastSecond ? tag + 1 : 0
      lastSecond = second
      return `${second}:${tag}`
    }
    const step = () => {
      send(`event: output\nid: ${id()}\ndata: ${run.items[index++]}\n\n`)
      if (index === run.items.length) return send(`event: done\nid: ${id()}\ndata: {}\n\n`)
      const now = performance.now()
      dueAt = Math.max(dueAt + intervalMs, now)
      const delay = Math.round(dueAt - now)
      if (delay <= 0) setImmediate(step)
      else setTimeout(step, delay)
    }
    setTimeout(step, cadence.firstOutputDelayMs)
  }

  let created = 0
  const api = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      const { input } = JSON.parse(body) as { input: { outputs: string[] } }
      const createdAt = new Date().toISOString()
      const path = `/v1/streams/${created++}`
      const run: Run = { items: input.outputs, res: undefined, pending: '' }
      runs.set(path, run)
      start(run)
      res.writeHead(201, { 'Content-Type': 'application/json' })
      res.end(
        JSON.stringify({
          id: String(created),
          created_at: createdAt,
          urls: { stream: `http://127.0.0.1:${streamPort}${path}` },
        }),
      )
    })
  })
  const apiPort = await listen(api)

  return {
    apiUrl: `http://127.0.0.1:${apiPort}/v1`,
    async close() {
      for (const server of [streams, api]) {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
      }
    },
  }
}
