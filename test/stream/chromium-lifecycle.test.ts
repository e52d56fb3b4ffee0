import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright'
import { recordingsOfModel, selectRecording } from '../../src/testing/models/recordings'
import { startLifecycleSite, type LifecycleSite } from '../../testkit/chromium-pages'
import type { LifecyclePage } from '../../testkit/lifecycle-page/main'

// Issue 13 in real Chromium tabs, driven from Node with Playwright (testkit/chromium-pages.ts):
// a frozen page and a page restored from the back/forward cache complete their text within a
// second of waking; a reload mid-stream shows the text before any reply and resumes from its
// last event ID; two tabs share one connection, and the second takes over when the first closes.
// The page is usePredictionStream + <StreamingText> (testkit/lifecycle-page/main.tsx).

const GOLIATH = 'nateraw/goliath-120b'
const PROMPT = 'Tell me a story'
const expected = selectRecording(recordingsOfModel(GOLIATH), { prompt: PROMPT }).output.join('')
/** A stream of the 927 tokens takes about 3 s: there is time to freeze, leave, reload, close. */
const CADENCE = { firstOutputDelayMs: 0, outputIntervalMs: 3 }
const RESUME_KEY = 'react-prediction-stream:lifecycle'

declare const window: { lifecycle: LifecyclePage }

let site: LifecycleSite
beforeAll(async () => {
  site = await startLifecycleSite()
}, 120_000)
afterAll(() => site?.close())
// Every tab a test opened is closed, whatever happened: no stream of one test runs into the next.
afterEach(async () => {
  for (const page of site.context.pages()) await page.close()
})

const streamRequests = (since: number) =>
  site.app.requests.filter((r) => r.seq >= since && r.path.startsWith('/v1/streams/'))
const creates = (since: number) =>
  site.app.requests.filter(
    (r) => r.seq >= since && r.method === 'POST' && r.path.startsWith('/v1/'),
  )

async function openPage(query: string): Promise<Page> {
  const page = await site.context.newPage()
  page.on('pageerror', (error) => console.error('page error:', error))
  await page.goto(`${site.origin}/?${query}`)
  await page.waitForFunction(() => window.lifecycle !== undefined)
  return page
}

const snapshot = (page: Page) =>
  page.evaluate(() => {
    const { text, status, error, connection, lastEventId, output } = window.lifecycle.snapshot()
    return {
      text,
      status,
      error: error?.message ?? null,
      connection,
      lastEventId,
      items: output.length,
    }
  })

/** Resolves once the page's snapshot satisfies `predicate`, checked in the page. */
const pageUntil = (page: Page, predicate: string) =>
  // Polled on a timer: a background tab runs no animation frames.
  page.waitForFunction(
    `(() => { const s = window.lifecycle.snapshot(); return ${predicate} })()`,
    undefined,
    { timeout: 20_000, polling: 50 },
  )

/** The text `<StreamingText>` rendered, raw, without its streaming cursor. */
const renderedText = (page: Page) =>
  page.getByTestId('text').evaluate((element) => {
    const copy = element.cloneNode(true) as Element
    for (const cursor of copy.querySelectorAll('[data-streaming-cursor]')) cursor.remove()
    return copy.textContent
  })

/** How long after `type` (the last one) the page saw its stream end, in ms, measured in the page. */
const endedAfter = (page: Page, type: string) =>
  page.evaluate((type) => {
    const { events } = window.lifecycle
    const woke = events.filter((event) => event.type === type).at(-1)
    const ended = events.find((event) => event.type === 'ended')
    return woke && ended ? ended.at - woke.at : undefined
  }, type)

describe('a page that slept', { timeout: 60_000 }, () => {
  it('completes its text within a second of resuming from frozen, with no error', async () => {
    const since = site.app.requests.length
    // The stream stalls after 100 events: the connection stays open and says nothing more.
    site.app.faults.set({ cadence: CADENCE, stream: { stallAfter: { events: 100 }, times: 1 } })
    const page = await openPage(`model=${GOLIATH}`)
    const cdp = await site.context.newCDPSession(page)
    await page.evaluate((prompt) => window.lifecycle.start(prompt), PROMPT)
    await pageUntil(page, 's.output.length === 100')
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
    // Frozen while the prediction runs to its end on the server.
    await expect
      .poll(() => site.app.predictions.at(-1)?.status, { timeout: 20_000 })
      .toBe('succeeded')
    await cdp.send('Page.setWebLifecycleState', { state: 'active' })
    // The user comes back to the tab.
    await page.bringToFront()
    await pageUntil(page, "s.connection === 'closed'")
    const done = await snapshot(page)
    expect(done.error).toBeNull()
    expect(done.status).toBe('succeeded')
    expect(done.text).toBe(expected)
    expect(await renderedText(page)).toBe(expected)
    const afterWaking = await endedAfter(page, 'resume')
    expect(afterWaking).toBeLessThan(1000)
    console.log(`frozen page: text complete ${Math.round(afterWaking!)} ms after it resumed`)
    const [first, second, ...more] = streamRequests(since)
    expect(more).toEqual([])
    expect(first!.headers['last-event-id']).toBeUndefined()
    expect(second!.headers['last-event-id']).toBeDefined()
  })

  it('completes its text within a second of its restore from the back/forward cache', async () => {
    const since = site.app.requests.length
    site.app.faults.set({ cadence: CADENCE, stream: { stallAfter: { events: 100 }, times: 1 } })
    const page = await openPage(`model=${GOLIATH}`)
    await page.evaluate((prompt) => window.lifecycle.start(prompt), PROMPT)
    await pageUntil(page, 's.output.length === 100')
    await page.goto(`${site.origin}/away.html`)
    await expect
      .poll(() => site.app.predictions.at(-1)?.status, { timeout: 20_000 })
      .toBe('succeeded')
    await page.goBack({ waitUntil: 'commit' })
    await pageUntil(page, "s.connection === 'closed'")
    const done = await snapshot(page)
    expect(done.error).toBeNull()
    expect(done.text).toBe(expected)
    expect(await renderedText(page)).toBe(expected)
    // The same page, restored: not a new load.
    const afterRestore = await endedAfter(page, 'pageshow persisted')
    expect(afterRestore).toBeLessThan(1000)
    console.log(`back/forward cache: text complete ${Math.round(afterRestore!)} ms after pageshow`)
    expect(creates(since)).toHaveLength(1)
    expect(streamRequests(since)).toHaveLength(2)
  })
})

describe('a reload in the middle of the stream', { timeout: 60_000 }, () => {
  it('shows the old text before any reply, then resumes from its last event ID', async () => {
    const since = site.app.requests.length
    site.app.faults.set({ cadence: CADENCE })
    const page = await openPage(`model=${GOLIATH}`)
    await page.evaluate((prompt) => window.lifecycle.start(prompt), PROMPT)
    // The middle: the page has stored a few hundred tokens (written at most once per second).
    await page.waitForFunction(
      (key) => (JSON.parse(sessionStorage.getItem(key) ?? '{}').output?.length ?? 0) >= 300,
      RESUME_KEY,
      { timeout: 20_000 },
    )
    // Every reply to the reloaded page's first request (the GET of the prediction) is held back.
    const held: { continue(): Promise<void> }[] = []
    await page.route(/\/api\/predictions\/[^/]+$/, (route) => void held.push(route))
    const reloadedAt = site.app.requests.length
    await page.reload()
    await page.waitForFunction(() => window.lifecycle !== undefined)
    const stored = await page.evaluate(
      (key) => JSON.parse(sessionStorage.getItem(key)!),
      RESUME_KEY,
    )
    const oldText: string = stored.output.join('')
    expect(stored.output.length).toBeGreaterThanOrEqual(300)
    expect(stored.output.length).toBeLessThan(927)
    await expect.poll(() => renderedText(page)).toBe(oldText)
    // Still no reply: the GET is held, and the stream has not been asked for.
    expect(held).toHaveLength(1)
    expect(streamRequests(reloadedAt)).toHaveLength(0)
    for (const route of held) await route.continue()
    await page.unroute(/\/api\/predictions\/[^/]+$/)
    await pageUntil(page, "s.connection === 'closed'")
    const done = await snapshot(page)
    expect(done.error).toBeNull()
    expect(done.status).toBe('succeeded')
    expect(done.text).toBe(expected)
    expect(await renderedText(page)).toBe(expected)
    const resumed = streamRequests(reloadedAt)
    expect(resumed).toHaveLength(1)
    expect(resumed[0]!.headers['last-event-id']).toBe(stored.lastEventId)
    expect(creates(since)).toHaveLength(1)
  })
})

describe('two tabs on the same prediction', { timeout: 60_000 }, () => {
  /** Tab A creates the prediction, tab B follows it: one origin, so they can coordinate. */
  async function twoTabs() {
    site.app.faults.set({ cadence: CADENCE })
    const a = await openPage(`model=${GOLIATH}`)
    await a.evaluate((prompt) => window.lifecycle.start(prompt), PROMPT)
    await pageUntil(a, 's.output.length >= 50')
    const id = (await a.evaluate(() => window.lifecycle.snapshot().prediction!.id)) as string
    const b = await openPage(`attach=${encodeURIComponent(id)}`)
    return { a, b }
  }

  it('opens one stream connection, and both show the same exact text', async () => {
    const since = site.app.requests.length
    const { a, b } = await twoTabs()
    await pageUntil(b, 's.output.length >= 300')
    expect(site.app.openStreams).toBe(1)
    await pageUntil(a, "s.connection === 'closed'")
    await pageUntil(b, "s.connection === 'closed'")
    for (const page of [a, b]) {
      const done = await snapshot(page)
      expect(done.error).toBeNull()
      expect(done.text).toBe(expected)
      expect(await renderedText(page)).toBe(expected)
    }
    expect(streamRequests(since)).toHaveLength(1)
  })

  it('hands the stream to the other tab when the holder closes, which ends it exactly', async () => {
    const since = site.app.requests.length
    const { a, b } = await twoTabs()
    await pageUntil(b, 's.output.length >= 300')
    const closedAt = Date.now()
    await a.close()
    await expect.poll(() => streamRequests(since).length).toBe(2)
    const handOverMs = Date.now() - closedAt
    await pageUntil(b, "s.connection === 'closed'")
    const done = await snapshot(b)
    expect(done.error).toBeNull()
    expect(done.text).toBe(expected)
    expect(await renderedText(b)).toBe(expected)
    expect(handOverMs).toBeLessThan(1000)
    const [, second] = streamRequests(since)
    expect(second!.headers['last-event-id']).toBeDefined()
    console.log(`two tabs: the other tab reconnected ${handOverMs} ms after the holder closed`)
  })
})
