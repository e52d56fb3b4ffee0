/**
 * Real Chromium tabs against the local server, for what Vitest's browser mode cannot do from
 * inside one page: several tabs, a reload, the back/forward cache, freezing a page through the
 * DevTools protocol. The page (`testkit/lifecycle-page/`) is built once with Vite; one node:http
 * server serves it and mounts the local Replicate-compatible app (route handler, `/v1`, streams)
 * on the same origin, so the test reads the app's request log, open streams and faults directly.
 *
 * Chromium is started here and Playwright connects to it over the DevTools protocol with
 * `noDefaults`: a browser Playwright launches, and any context it creates, gets focus emulation,
 * which keeps every page visible, so `Page.setWebLifecycleState` cannot freeze it; and Playwright
 * turns the back/forward cache off at launch. Pages of the browser's default context get neither.
 */
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { chromium, type Browser, type BrowserContext } from 'playwright'
import { build } from 'vite'
import { createReplicateApp, type ReplicateApp } from '../src/testing/index'
import { CHROMIUM_LAUNCH_OPTIONS } from '../vitest.chromium'

const pageDir = fileURLToPath(new URL('./lifecycle-page/', import.meta.url))
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

/** The built page, its server and a browser: everything a test needs, and `close()`. */
export interface LifecycleSite {
  /** `http://127.0.0.1:{port}`: the page at `/`, another page at `/away.html`. */
  origin: string
  /** The local server mounted on the same origin, for its requests, streams and faults. */
  app: ReplicateApp
  browser: Browser
  /** The browser's own context: its pages can be frozen and kept in the back/forward cache. */
  context: BrowserContext
  close(): Promise<void>
}

async function buildPage(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'lifecycle-page-'))
  await build({
    configFile: false,
    root: pageDir,
    base: '/',
    mode: 'production',
    logLevel: 'warn',
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      reportCompressedSize: false,
      rolldownOptions: {
        input: { index: join(pageDir, 'index.html'), away: join(pageDir, 'away.html') },
      },
    },
  })
  return outDir
}

/** Builds the page, starts its server and launches Chromium. */
export async function startLifecycleSite(): Promise<LifecycleSite> {
  const outDir = await buildPage()
  const app = createReplicateApp()
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const file = path === '/' ? '/index.html' : path
    const type = TYPES[extname(file)]
    if (req.method !== 'GET' || !type || path.startsWith('/api/') || path.startsWith('/v1/')) {
      return app.handle(req, res)
    }
    const full = join(outDir, normalize(file))
    stat(full).then(
      () => {
        // Cacheable as any site's pages: `no-store` would keep a page out of the back/forward cache.
        res.writeHead(200, { 'Content-Type': type })
        createReadStream(full).pipe(res)
      },
      () => app.handle(req, res),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const profile = await mkdtemp(join(tmpdir(), 'lifecycle-profile-'))
  const chromiumProcess = spawn(
    CHROMIUM_LAUNCH_OPTIONS.executablePath,
    [
      ...CHROMIUM_LAUNCH_OPTIONS.args,
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = ''
    chromiumProcess.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(output)
      if (found) resolve(found[1]!)
    })
    chromiumProcess.once('exit', (code) =>
      reject(new Error(`Chromium exited (${code}): ${output}`)),
    )
  })
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true })
  return {
    origin: `http://127.0.0.1:${port}`,
    app,
    browser,
    context: browser.contexts()[0]!,
    async close() {
      // `/usr/bin/chromium` is a wrapper script: the browser itself is its child, so it is asked
      // to quit over the protocol rather than by a signal to the wrapper.
      const exited = new Promise((resolve) => chromiumProcess.once('exit', resolve))
      const session = await browser.newBrowserCDPSession()
      await session.send('Browser.close').catch(() => {})
      await exited
      await browser.close()
      await rm(profile, { recursive: true, force: true })
      await app.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(outDir, { recursive: true, force: true })
    },
  }
}
