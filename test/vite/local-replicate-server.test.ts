import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { build, createServer, preview, type PreviewServer, type ViteDevServer } from 'vite'
import { InvalidOptionsError, PredictionStream } from '../../src/core/index'
import { localReplicateServer } from '../../src/vite/index'

// The plugin in a real Vite server on a loopback port: what `react-prediction-stream/vite` does
// for a user's app, without a browser (the examples' Chromium tests drive it in one).
const servers: (ViteDevServer | PreviewServer)[] = []
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

/** A throwaway Vite root with an index.html. */
async function appRoot(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'rps-vite-'))
  dirs.push(root)
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>app</title><p>app</p>')
  return root
}

const common = (root: string) =>
  ({ root, configFile: false, logLevel: 'silent', server: { host: '127.0.0.1', port: 0 } }) as const

function originOf(server: ViteDevServer | PreviewServer): string {
  const { port } = server.httpServer!.address() as AddressInfo
  return `http://127.0.0.1:${port}`
}

/** Streams one prediction through `{origin}/api/predictions` to its end. */
async function streamThrough(origin: string) {
  const stream = new PredictionStream({
    endpoint: `${origin}/api/predictions`,
    model: 'local/echo',
  })
  await stream.start({ prompt: 'one two three' })
  return stream.getSnapshot()
}

describe('localReplicateServer (react-prediction-stream/vite)', () => {
  it('serves the route handler and the local server on the dev server’s origin', async () => {
    const root = await appRoot()
    const server = await createServer({
      ...common(root),
      plugins: [localReplicateServer({ cadence: 'instant' })],
    })
    servers.push(server)
    await server.listen()
    const origin = originOf(server)

    const snapshot = await streamThrough(origin)
    expect(snapshot).toMatchObject({ status: 'succeeded', text: 'one two three' })
    // Same origin: the stream URL is the dev server's, as a page needs it.
    expect(snapshot.prediction?.urls?.stream?.startsWith(`${origin}/v1/streams/`)).toBe(true)
    // Every other path is still Vite's.
    const page = await fetch(`${origin}/`)
    expect([page.status, (await page.text()).includes('<p>app</p>')]).toEqual([200, true])
  })

  it('is mounted in `vite preview` of a build, and only there with `preview: false`', async () => {
    const root = await appRoot()
    const outDir = path.join(root, 'dist')
    await build({ ...common(root), build: { outDir } })
    const mounted = await preview({
      ...common(root),
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0 },
      plugins: [localReplicateServer({ cadence: 'instant' })],
    })
    servers.push(mounted)
    expect(await streamThrough(originOf(mounted))).toMatchObject({ text: 'one two three' })

    const plain = await preview({
      ...common(root),
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0 },
      plugins: [localReplicateServer({ preview: false })],
    })
    servers.push(plain)
    // Without the mount, the path falls through to the static build's SPA fallback.
    const response = await fetch(`${originOf(plain)}/api/predictions`)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await response.text()).toContain('<p>app</p>')
  })

  it('throws InvalidOptionsError when the config loads, for invalid options', () => {
    expect(() => localReplicateServer({ cadence: 'slow' as never })).toThrow(InvalidOptionsError)
    expect(() => localReplicateServer({ predictionsEndpoint: '/v1/predictions' })).toThrow(
      /must not be under \/v1/,
    )
  })
})
