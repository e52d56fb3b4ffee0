import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import { LOCAL_API_TOKEN } from '../../src/testing'
import { main } from '../../src/testing/cli-main'
import { WAIT } from '../../testkit/local-server'

/** Captures what main writes. */
function io(signal?: AbortSignal) {
  const out = { stdout: '', stderr: '' }
  return {
    out,
    io: {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
      signal,
    },
  }
}

/** Listens on `port` (0: any), or resolves `undefined` when it is taken. */
function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(undefined))
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

/** A free port whose next port is free too, as `serve --port n` needs by default. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const first = (await listenOn(0))!
    const port = (first.address() as { port: number }).port
    const second = port < 65535 ? await listenOn(port + 1) : undefined
    await new Promise((resolve) => first.close(resolve))
    if (second) {
      await new Promise((resolve) => second.close(resolve))
      return port
    }
  }
}

/** Runs `serve` with `argv` until the returned `stop()`; resolves once it printed its URLs. */
async function serve(argv: string[]) {
  const controller = new AbortController()
  const { out, io: streams } = io(controller.signal)
  const exit = main(['serve', ...argv], streams)
  await expect.poll(() => out.stdout + out.stderr).toMatch(/Press Ctrl\+C|react-prediction-stream:/)
  const line = (label: string) => new RegExp(`${label}: +(\\S+)\\n`).exec(out.stdout)?.[1]
  return {
    out,
    apiUrl: line('Replicate API'),
    streamHost: line('Stream host'),
    endpoint: line('Prediction endpoint'),
    async stop() {
      controller.abort()
      return exit
    },
  }
}

describe('cli main', () => {
  it('prints usage for --help and exits 0', async () => {
    const { out, io: streams } = io()
    expect(await main(['--help'], streams)).toBe(0)
    expect(out.stdout).toMatch(/^Usage: react-prediction-stream serve/)
    expect(out.stdout).toContain('--fail-after')
    expect(out.stderr).toBe('')
    expect(await main(['serve', '-h'], io().io)).toBe(0)
  })

  it('prints the package version for --version and exits 0', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string }
    const { out, io: streams } = io()
    expect(await main(['--version'], streams)).toBe(0)
    expect(out).toEqual({ stdout: `${version}\n`, stderr: '' })
  })

  it.each([
    [['serve', '--bogus'], /^react-prediction-stream: Unknown option '--bogus'\nTry --help\.\n$/],
    [['serve', '--allow-origin', 'http://localhost:5173/'], /--allow-origin must be an origin/],
    [['serve', '--port', '65535'], /--port 65535 leaves no port for --stream-port/],
    [['serve', '--port'], /--port/],
    [['serve', '--port', 'abc'], /--port must be an integer/],
    [['serve', '--port', '70000'], /--port must be an integer between 0 and 65535/],
    [['serve', '--cadence', 'slow'], /--cadence must be one of realistic, fast, instant/],
    [['serve', '--fail-after', '-1'], /fail-after/],
    [['serve', 'extra'], /unexpected argument "extra"/],
    [['serve', '--cadence', 'tps:0'], /--cadence must be one of/],
    [['serve', '--create-error', 'soon'], /--create-error must look like 429 or 429x2/],
    [['serve', '--create-error', '200'], /--create-error must be an HTTP error status/],
    [['serve', '--stream-status', '302'], /--stream-status must be an HTTP error status/],
    [['serve', '--drop-mode', 'close'], /--drop-mode must be eof or reset/],
    [['serve', '--split-writes', '3-1'], /--split-writes must look like 1-8/],
    [['serve', '--idle-timeout', '0'], /--idle-timeout must be > 0/],
    [['start'], /unknown command "start"/],
    [[], /missing command/],
  ])('rejects %j on stderr with exit code 2', async (argv, message) => {
    const { out, io: streams } = io()
    expect(await main(argv, streams)).toBe(2)
    expect(out.stderr).toMatch(message)
    expect(out.stderr).toContain('--help')
    expect(out.stdout).toBe('')
  })

  it('serves on --port 0, prints both URLs and the token, and stops on abort', async () => {
    const controller = new AbortController()
    const { out, io: streams } = io(controller.signal)
    const exit = main(
      ['serve', '--port', '0', '--cadence', 'instant', '--fail-after', '2'],
      streams,
    )
    await expect.poll(() => out.stdout).toContain('Press Ctrl+C')
    const apiUrl = /Replicate API: +(http:\/\/127\.0\.0\.1:\d+\/v1)\n/.exec(out.stdout)?.[1]
    const endpoint = /Prediction endpoint: +(http:\/\/127\.0\.0\.1:\d+\/api\/predictions)\n/.exec(
      out.stdout,
    )?.[1]
    expect(apiUrl).toBeDefined()
    expect(endpoint).toBe(apiUrl!.replace(/\/v1$/, '/api/predictions'))
    expect(out.stdout).toContain(LOCAL_API_TOKEN)

    const response = await fetch(endpoint!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'meta/llama-2-70b-chat', input: { prompt: 'hi' } }),
    })
    expect(response.status).toBe(201)
    // The route handler's reference, read back through the route.
    const prediction = (await response.json()) as { id: string }
    await vi.waitFor(async () => {
      const got = await fetch(`${endpoint}/${prediction.id}`)
      expect(await got.json()).toMatchObject({ status: 'failed', output: { length: 2 } })
    }, WAIT)

    controller.abort()
    expect(await exit).toBe(0)
    await expect(fetch(`${apiUrl}/predictions`)).rejects.toThrow()
  })

  it('injects faults from flags, deterministically under --seed', async () => {
    const controller = new AbortController()
    const { out, io: streams } = io(controller.signal)
    const exit = main(
      [
        'serve',
        '--port',
        '0',
        '--cadence',
        'instant',
        '--seed',
        '5',
        '--create-error',
        '429x1',
        '--retry-after',
        '2',
        '--drop-after-events',
        '1',
        '--stream-fault-times',
        '1',
      ],
      streams,
    )
    await expect.poll(() => out.stdout).toContain('Press Ctrl+C')
    expect(out.stdout).toContain('create errors, stream faults')
    expect(out.stdout).toMatch(/Seed: +5\n/)
    const apiUrl = /Replicate API: +(\S+)\n/.exec(out.stdout)![1]!
    const streamHost = /Stream host: +(\S+)\n/.exec(out.stdout)![1]!
    expect(streamHost).not.toBe(apiUrl.replace(/\/v1$/, ''))
    const create = () =>
      fetch(`${apiUrl}/models/local/echo/predictions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${LOCAL_API_TOKEN}` },
        body: JSON.stringify({ input: { prompt: 'a b c' } }),
      })
    const throttled = await create()
    expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '2'])
    const created = await create()
    expect(created.status).toBe(201)
    const { urls } = (await created.json()) as { urls: { stream: string } }
    expect(urls.stream.startsWith(`${streamHost}/v1/streams/`)).toBe(true)
    const cut = await (await fetch(urls.stream)).text()
    expect(cut).toMatch(/^: hi\n\nevent: output\nid: \d+:0\ndata: a\n\n$/)
    controller.abort()
    expect(await exit).toBe(0)
  })

  it('puts the stream host on the port after the API by default, and prints both', async () => {
    const port = await freePortPair()
    const server = await serve(['--port', String(port), '--cadence', 'instant'])
    expect(server.apiUrl).toBe(`http://127.0.0.1:${port}/v1`)
    expect(server.streamHost).toBe(`http://127.0.0.1:${port + 1}`)
    expect(server.out.stdout.indexOf('Replicate API')).toBeLessThan(
      server.out.stdout.indexOf('Stream host'),
    )
    expect(await server.stop()).toBe(0)
  })

  it('lets pages on --allow-origin origins call the prediction endpoint (CORS), and no others', async () => {
    const page = 'http://localhost:5173'
    const server = await serve([
      ...['--port', '0', '--cadence', 'instant', '--close-after-done', '--allow-origin', page],
    ])
    expect(server.out.stdout).toContain(`Allowed origins:     ${page}\n`)
    const endpoint = server.endpoint!

    // The browser's preflight for a JSON POST, then the POST itself.
    const preflight = await fetch(endpoint, {
      method: 'OPTIONS',
      headers: {
        Origin: page,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(page)
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type')

    const created = await fetch(endpoint, {
      method: 'POST',
      headers: { Origin: page, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'local/echo', input: { prompt: 'over there' } }),
    })
    expect(created.status).toBe(201)
    expect(created.headers.get('access-control-allow-origin')).toBe(page)
    const prediction = (await created.json()) as { id: string; urls: { stream: string } }
    // The stream URL is on the stream host, which answers any page's origin.
    expect(prediction.urls.stream.startsWith(`${server.streamHost}/v1/streams/`)).toBe(true)
    const stream = await fetch(prediction.urls.stream, { headers: { Origin: page } })
    expect(stream.headers.get('access-control-allow-origin')).toBe(page)
    expect(await stream.text()).toContain('event: done')

    const read = await fetch(`${endpoint}/${prediction.id}`, { headers: { Origin: page } })
    expect([read.status, read.headers.get('access-control-allow-origin')]).toEqual([200, page])

    const other = await fetch(endpoint, {
      method: 'POST',
      headers: { Origin: 'http://localhost:3000', 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'local/echo', input: { prompt: 'refused' } }),
    })
    expect(other.status).toBe(403)
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    expect(server.out.stderr).toBe('')
    expect(await server.stop()).toBe(0)
  })

  it('exits 1 when the port is taken', async () => {
    const controller = new AbortController()
    const first = io(controller.signal)
    const running = main(['serve', '--port', '0'], first.io)
    await expect.poll(() => first.out.stdout).toContain('Press Ctrl+C')
    const port = /127\.0\.0\.1:(\d+)/.exec(first.out.stdout)![1]!
    const second = io()
    expect(await main(['serve', '--port', port], second.io)).toBe(1)
    expect(second.out.stderr).toMatch(/cannot start server: .*EADDRINUSE/)
    controller.abort()
    expect(await running).toBe(0)
  })
})
