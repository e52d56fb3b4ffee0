import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser } from 'playwright'
import { LOCAL_API_TOKEN } from '../../src/testing/index'
import { itDrivesTheHaiku, launchChromium, type HaikuApp } from './haiku-page'
import { installExample } from './install'
import { cleanEnv, freePort, run, startServer, stopAllServers } from './processes'

// examples/nextjs as a user runs it: `next build` with no token or secret anywhere in its
// environment, then `next start` with the route pointed at the package's own CLI server.
let browser: Browser | undefined
let app: HaikuApp
let built: string
let cliEndpoint: string

beforeAll(async () => {
  const example = await installExample('nextjs', inject('libraryTarball'))
  built = await run(process.execPath, [example.bin('next'), 'build'], {
    cwd: example.dir,
    env: cleanEnv(),
  })
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  // The installed package's bin, five tokens a second: slow enough to cancel and reload halfway.
  const cli = await startServer(
    process.execPath,
    [
      example.bin('react-prediction-stream'),
      ...['serve', '--port', '0', '--cadence', 'tps:5', '--allow-origin', origin],
    ],
    { cwd: example.dir, ready: /Replicate API: +(\S+)\n[^]*Prediction endpoint: +(\S+)\n/ },
  )
  const apiUrl = cli.match[1]!
  cliEndpoint = cli.match[2]!
  await startServer(
    process.execPath,
    [example.bin('next'), 'start', '--port', String(port), '--hostname', '127.0.0.1'],
    {
      cwd: example.dir,
      env: cleanEnv({
        REPLICATE_BASE_URL: apiUrl,
        REPLICATE_API_TOKEN: LOCAL_API_TOKEN,
        PREDICTION_HANDLER_SECRET: randomBytes(32).toString('base64url'),
      }),
      ready: /Ready in/,
    },
  )
  browser = await launchChromium()
  app = { browser, url: `${origin}/`, apiUrl }
})

afterAll(async () => {
  await browser?.close()
  await stopAllServers()
})

describe('examples/nextjs', () => {
  it('builds with no token or secret, prerendering the page with the client component', async () => {
    expect(built).toMatch(/^[├┌└] ○ \/\s*$/m) // "/" is static: rendered once at build time
    expect(built).toMatch(/^[├┌└] ƒ \/api\/predictions\/\[\[\.\.\.path\]\]\s*$/m)
    const html = await (await fetch(app.url)).text()
    expect(html).toContain('data-status="idle"')
    expect(html).toMatch(/<button[^>]*>Start<\/button>/)
  })

  itDrivesTheHaiku(() => app)

  it('lets a page on another origin call the CLI server’s prediction endpoint', async () => {
    const context = await browser!.newContext()
    const page = await context.newPage()
    await page.goto(app.url)
    // A real cross-origin fetch: Chromium sends the preflight and enforces the CORS answer.
    const result = await page.evaluate(async (endpoint) => {
      const created = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'local/echo', input: { prompt: 'from another origin' } }),
      })
      const prediction = (await created.json()) as { urls: { stream: string } }
      const stream = await fetch(prediction.urls.stream, {
        headers: { Accept: 'text/event-stream' },
      })
      const reader = stream.body!.getReader()
      let text = ''
      while (!text.includes('event: done')) {
        const { value } = await reader.read()
        text += new TextDecoder().decode(value)
      }
      await reader.cancel()
      return { created: created.status, streamed: stream.status, text }
    }, cliEndpoint)
    expect(result).toMatchObject({ created: 201, streamed: 200 })
    expect(result.text).toContain('data: from')
    await context.close()
  })
})
