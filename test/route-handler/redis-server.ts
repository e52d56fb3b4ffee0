/**
 * A real `redis-server` for the tests (Debian's package; `.ci/run` installs it): started on a free
 * port with persistence off, and stopped after the test file.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { createClient } from 'redis'

/** A running redis-server and a way to get more clients of it. */
export interface RedisServer {
  url: string
  /** A connected client; closed by {@link RedisServer.stop}. */
  client(): Promise<ReturnType<typeof createClient>>
  stop(): Promise<void>
}

/** A port nobody listens on right now (redis-server has no `--port 0`). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Resolves once the server logs that it accepts connections; rejects if it exits first. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = ''
    child.stdout!.on('data', (data: Buffer) => {
      log += data.toString()
      if (log.includes('Ready to accept connections')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${log}`)))
    child.once('error', reject)
  })
}

/** Starts redis-server; a port taken between the probe and the start is retried. */
export async function startRedisServer(): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      await ready(child)
    } catch (error) {
      if (attempt === 3) throw error
      continue
    }
    const url = `redis://127.0.0.1:${port}`
    const clients: ReturnType<typeof createClient>[] = []
    return {
      url,
      async client() {
        const client = createClient({ url })
        clients.push(client)
        await client.connect()
        return client
      },
      async stop() {
        await Promise.all(clients.map((c) => (c.isOpen ? c.close() : undefined)))
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      },
    }
  }
}
