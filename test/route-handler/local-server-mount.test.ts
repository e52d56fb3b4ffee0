/**
 * The route handler the local server mounts at `/api/predictions`: its upstream is the server's
 * own listening address, whatever `Host` a client sends, so no client can make it send the
 * token elsewhere.
 */
import { createServer, request, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { HAIKU, LLAMA_3 } from './harness'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

/** POSTs a create to `url` with `Host: host` (fetch cannot set Host). */
function createWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        path: pathname,
        method: 'POST',
        headers: { Host: host, 'Content-Type': 'application/json' },
      },
      (res: IncomingMessage) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end(JSON.stringify({ model: LLAMA_3, input: HAIKU }))
  })
}

describe("the local server's mounted route handler", () => {
  it('sends the token to its own listening address, whatever the Host header says', async () => {
    const captured: string[] = []
    const attacker = createServer((req, res) => {
      captured.push(`${req.method} ${req.url} ${req.headers.authorization}`)
      res.writeHead(500).end()
    })
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
    closers.push(() => new Promise((resolve) => attacker.close(() => resolve())))
    const attackerHost = `127.0.0.1:${(attacker.address() as AddressInfo).port}`

    const server: ReplicateServer = await startReplicateServer({ cadence: 'instant' })
    closers.push(() => server.close())
    const hosts = [
      attackerHost,
      'localhost:1',
      'evil.example',
      ...Array.from({ length: 20 }, (_, i) => `h${i}.example:80`),
    ]
    const replies = []
    for (const host of hosts) replies.push(await createWithHost(server.predictionsUrl, host))

    expect(replies.map((r) => r.status)).toEqual(hosts.map(() => 201))
    expect(captured).toEqual([])
    expect(server.predictions).toHaveLength(hosts.length)
    // The handler's upstream calls reached this server on its own address.
    const own = new URL(server.url).host
    const upstream = server.requests.filter((r) => r.path.startsWith('/v1/'))
    expect(upstream.map((r) => r.headers.host)).toEqual(hosts.map(() => own))
    // Prediction URLs still follow the Host the client used, as the API's own responses do.
    expect(JSON.parse(replies[2]!.body).urls.get).toMatch(
      /^http:\/\/evil\.example\/api\/predictions\//,
    )
  })
})
