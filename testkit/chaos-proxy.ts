import net from 'node:net'

/** What the proxy does with one client connection. */
export type ChaosPlan =
  | { kind: 'pass' }
  /** Forward the response's first `afterBytes` bytes (headers included), then reset both sockets. */
  | { kind: 'cut'; afterBytes: number }
  /** Answer with a bare HTTP error instead of reaching the server. */
  | { kind: 'status'; status: 429 | 500 | 502 | 503 }

export interface ChaosStats {
  connections: number
  cuts: number
  /** Cuts that fell inside an SSE event (the bytes so far do not end with a blank line). */
  cutsInsideEvents: number
  /** Cuts that fell between the bytes of one multi-byte UTF-8 character. */
  cutsInsideCharacters: number
  statuses: number
}

const REASONS = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
}

/**
 * A TCP proxy (node:net) on 127.0.0.1 that breaks connections the way networks do: at a chosen
 * byte (inside an event, inside a UTF-8 character) or with an HTTP error from "a load balancer".
 * It is the lowest level there is: the server and the client on either side are the real code.
 */
export async function startChaosProxy(
  target: { host: string; port: number },
  plan: () => ChaosPlan,
) {
  const stats: ChaosStats = {
    connections: 0,
    cuts: 0,
    cutsInsideEvents: 0,
    cutsInsideCharacters: 0,
    statuses: 0,
  }
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => {})
    stats.connections += 1
    const chosen = plan()
    if (chosen.kind === 'status') {
      stats.statuses += 1
      client.once('data', () => {
        const retryAfter = chosen.status === 429 ? 'Retry-After: 0\r\n' : ''
        client.end(
          `HTTP/1.1 ${chosen.status} ${REASONS[chosen.status]}\r\n${retryAfter}` +
            'Content-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
        )
      })
      return
    }
    const upstream = net.connect(target.port, target.host)
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
    client.pipe(upstream)
    if (chosen.kind === 'pass') {
      upstream.pipe(client)
      return
    }
    let sent = 0
    let tail = Buffer.alloc(0)
    upstream.on('data', (chunk: Buffer) => {
      const room = chosen.afterBytes - sent
      if (room > chunk.length) {
        sent += chunk.length
        tail = Buffer.concat([tail, chunk]).subarray(-4)
        client.write(chunk)
        return
      }
      const head = chunk.subarray(0, room)
      client.write(head, () => {
        stats.cuts += 1
        const before = Buffer.concat([tail, head])
        const next = chunk[room]
        // A UTF-8 continuation byte (10xxxxxx) next means the cut split a character.
        if (next !== undefined && (next & 0xc0) === 0x80) stats.cutsInsideCharacters += 1
        if (!before.toString('latin1').endsWith('\n\n')) stats.cutsInsideEvents += 1
        client.resetAndDestroy()
        upstream.destroy()
      })
      upstream.pause()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
