/**
 * A chat in real Chromium tabs, driven with Playwright: the page (pages/chat-page.tsx, built
 * with Vite) is served on the same origin as the local server and its route handler, as an app
 * serves its page beside its route. A reload mid-answer, and two tabs on one thread.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import react from '@vitejs/plugin-react'
import { chromium, type Browser, type Page, type Route } from 'playwright'
import { build, type Rollup } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReplicateApp, type ReplicateApp } from '../../src/testing/index'
import { recordingFor } from '../../src/testing/models/prompt-match'

const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
const HAIKU = 'Please write a haiku about llamas'
/** 927 recorded tokens at 5 ms each: an answer still streaming seconds after it started. */
const BLOG =
  'write me a blogpost all about parmigiano reggiano. Include helpful tips, like what to do with the rinds, whether you should buy pre-grated vs non-grated, etc, etc. Grumble about poor quality american Parmesan.'
const user = (text: string) => `<|start_header_id|>user<|end_header_id|>\n\n${text}<|eot_id|>`
const ASK = '<|start_header_id|>assistant<|end_header_id|>\n\n'
const replayed = (prompt: string) => recordingFor(LLAMA_3, { prompt }).output.join('')

let app: ReplicateApp
let server: Server
let origin: string
let browser: Browser

async function pageBundle(): Promise<string> {
  const root = path.resolve(__dirname, '../..')
  const built = (await build({
    configFile: false,
    root,
    logLevel: 'silent',
    // Vitest runs with NODE_ENV=test, so the React plugin compiles JSX for React's development
    // runtime: the bundle must be React's development build to match.
    mode: 'development',
    plugins: [react()],
    define: { 'process.env.NODE_ENV': '"development"' },
    build: {
      write: false,
      minify: false,
      lib: {
        entry: path.join(__dirname, 'pages/chat-page.tsx'),
        formats: ['es'],
        fileName: 'page',
      },
    },
  })) as Rollup.RollupOutput[] | Rollup.RollupOutput
  const [chunk] = (Array.isArray(built) ? built[0]! : built).output
  return (chunk as Rollup.OutputChunk).code
}

beforeAll(async () => {
  const script = await pageBundle()
  app = createReplicateApp({ cadence: { firstOutputDelayMs: 0, outputIntervalMs: 5 } })
  const html =
    '<!doctype html><html lang="en"><title>Chat</title><div id="root"></div><script type="module" src="/page.js"></script></html>'
  server = createServer((req, res) =>
    app.handle(req, res, () => {
      const script_ = req.url === '/page.js'
      res.writeHead(200, { 'Content-Type': script_ ? 'text/javascript' : 'text/html' })
      res.end(script_ ? script : html)
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await app?.close()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

/** Creates received by the route handler so far. */
const creates = () =>
  app.requests.filter((r) => r.method === 'POST' && r.path === '/api/predictions').length

const texts = (page: Page) =>
  page.$$eval('li', (items) =>
    items.map((item) => [item.dataset.role, item.dataset.status, item.textContent]),
  )

async function send(page: Page, text: string) {
  await page.getByLabel('Message').fill(text)
  await page.getByRole('button', { name: 'Send' }).click()
}

describe('a chat in Chromium', { timeout: 60_000 }, () => {
  it('reloads mid-answer: thread painted before any reply, one create, completed once', async () => {
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      const errors: Error[] = []
      page.on('pageerror', (error) => errors.push(error))
      await page.goto(`${origin}/?thread=reload`)
      const before = creates()
      await send(page, BLOG)
      // Mid-answer: some text, far from all of it.
      await page.waitForFunction(
        () => (document.querySelectorAll('li')[1]?.textContent ?? '').length > 100,
      )

      // From now on no request is answered until the test says so.
      const held: Route[] = []
      let holding = true
      const hold = (route: Route) => void (holding ? held.push(route) : route.continue())
      await page.route('**/api/predictions/**', hold)
      await page.route('**/v1/**', hold)
      await page.reload()
      await page.waitForSelector('li[data-role="assistant"]')
      // The thread is restored from storage while every request is still unanswered.
      expect(await texts(page)).toEqual([
        ['user', 'sent', BLOG],
        ['assistant', 'processing', ''],
      ])
      await expect.poll(() => held.length).toBeGreaterThan(0)
      holding = false
      for (const route of held) await route.continue()

      await page.waitForSelector('li[data-role="assistant"][data-status="succeeded"]', {
        timeout: 30_000,
      })
      const full = replayed(`<|begin_of_text|>${user(BLOG)}${ASK}`)
      expect(await texts(page)).toEqual([
        ['user', 'sent', BLOG],
        ['assistant', 'succeeded', full],
      ])
      // Re-attached, never created again; completed exactly once, by the reloaded page.
      expect(creates() - before).toBe(1)
      const finished = await page.evaluate(() => sessionStorage.getItem('finished'))
      expect(JSON.parse(finished ?? '[]')).toHaveLength(1)
      // And kept: the stored thread holds the whole answer.
      await page.reload()
      await page.waitForSelector('li[data-status="succeeded"]')
      expect((await texts(page))[1]).toEqual(['assistant', 'succeeded', full])
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('shows one thread in two tabs, with one create per answer', async () => {
    const context = await browser.newContext()
    try {
      const [a, b] = [await context.newPage(), await context.newPage()]
      await a.goto(`${origin}/?thread=tabs`)
      await b.goto(`${origin}/?thread=tabs`)
      const before = creates()
      await send(a, BLOG)
      // Tab b sees the question through the storage event, then follows tab a's answer.
      await b.waitForFunction(
        () => (document.querySelectorAll('li')[1]?.textContent ?? '').length > 0,
      )
      // A follow-up from tab b is queued behind it, in both tabs, and created by tab b.
      await send(b, HAIKU)
      await a.waitForSelector('li[data-status="queued"]')
      for (const page of [a, b]) {
        await page.waitForFunction(
          () =>
            document.querySelectorAll('li[data-role="assistant"][data-status="succeeded"]')
              .length === 2,
          undefined,
          { timeout: 30_000 },
        )
      }
      const first = replayed(`<|begin_of_text|>${user(BLOG)}${ASK}`)
      const expected = [
        ['user', 'sent', BLOG],
        ['assistant', 'succeeded', first],
        ['user', 'sent', HAIKU],
        [
          'assistant',
          'succeeded',
          replayed(
            `<|begin_of_text|>${user(BLOG)}<|start_header_id|>assistant<|end_header_id|>\n\n${first.trim()}<|eot_id|>${user(HAIKU)}${ASK}`,
          ),
        ],
      ]
      expect(await texts(a)).toEqual(expected)
      expect(await texts(b)).toEqual(expected)
      expect(creates() - before).toBe(2)
    } finally {
      await context.close()
    }
  })
})
