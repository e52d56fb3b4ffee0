/**
 * The README's `<Haiku>` component, driven in Chromium the way a person uses it: start and watch
 * the recorded haiku stream to its end, cancel it halfway, reload the page halfway. The same
 * checks run against every example; the local server behind each tells what was really created.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright'
import { expect, it } from 'vitest'
import type { Prediction } from '../../src/core/prediction'
import { LOCAL_API_TOKEN } from '../../src/testing/index'
import { CHROMIUM_LAUNCH_OPTIONS } from '../../vitest.chromium'

/** Chromium, as the other browser tests launch it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ ...CHROMIUM_LAUNCH_OPTIONS, args: [...CHROMIUM_LAUNCH_OPTIONS.args] })
}

/** A running example: the browser, the page's URL and the `/v1` API of its local server. */
export interface HaikuApp {
  browser: Browser
  url: string
  apiUrl: string
}

/** One change seen on the page: `<StreamingText>`'s `data-status` and text length. */
interface Seen {
  status: string
  length: number
}

/** The page's window, with every change of the haiku since the page loaded. */
type Recorded = { seen: Seen[] }

/** Records every change of `<StreamingText>` from the first byte of each page load. */
function recordChanges() {
  const recorded = window as unknown as Recorded
  recorded.seen = []
  new MutationObserver(() => {
    const element = document.querySelector('[data-status]')
    if (!element) return
    const copy = element.cloneNode(true) as Element
    copy.querySelector('[data-streaming-cursor]')?.remove()
    const seen = { status: element.getAttribute('data-status')!, length: copy.textContent!.length }
    const last = recorded.seen.at(-1)
    if (last?.status !== seen.status || last.length !== seen.length) recorded.seen.push(seen)
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true })
}

/** The haiku as shown, without the cursor. */
function shownText(page: Page): Promise<string> {
  return page.$eval('[data-status]', (element) => {
    const copy = element.cloneNode(true) as Element
    copy.querySelector('[data-streaming-cursor]')?.remove()
    return copy.textContent ?? ''
  })
}

function waitForStatus(page: Page, status: string): Promise<unknown> {
  return page.waitForFunction(
    (expected) => document.querySelector('[data-status]')?.getAttribute('data-status') === expected,
    status,
    { timeout: 30_000 },
  )
}

/** Waits until some of the haiku is shown while it still streams. */
function waitForFirstWords(page: Page): Promise<unknown> {
  return page.waitForFunction(
    () => (window as unknown as Recorded).seen.some((seen) => seen.length > 0),
    null,
    {
      timeout: 30_000,
    },
  )
}

/** The local server's predictions, newest first. */
async function predictions(apiUrl: string): Promise<Prediction[]> {
  const response = await fetch(`${apiUrl}/predictions`, {
    headers: { Authorization: `Bearer ${LOCAL_API_TOKEN}` },
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { results: Prediction[] }).results
}

/** A fresh browser context (its own sessionStorage) on the example, with errors collected. */
async function openPage(
  app: HaikuApp,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await app.browser.newContext()
  await context.addInitScript(recordChanges)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`)
  })
  await page.goto(app.url)
  await page.getByRole('button', { name: 'Start' }).waitFor()
  return { context, page, errors }
}

/** Registers the three checks against the app `setup()` returns once the suite runs. */
export function itDrivesTheHaiku(setup: () => HaikuApp): void {
  it('streams the recorded haiku to its end, token by token', async () => {
    const app = setup()
    const { context, page, errors } = await openPage(app)
    const before = (await predictions(app.apiUrl)).length
    await page.getByRole('button', { name: 'Start' }).click()
    await waitForStatus(page, 'succeeded')

    const [latest, ...older] = await predictions(app.apiUrl)
    expect(older).toHaveLength(before)
    expect(latest).toMatchObject({ status: 'succeeded' })
    expect(await shownText(page)).toBe((latest!.output as string[]).join(''))
    // It arrived in pieces, not at once: one new length per frame at most, several in all.
    const seen = await page.evaluate(() => (window as unknown as Recorded).seen)
    const streamed = seen.filter((entry) => entry.status === 'processing' && entry.length > 0)
    expect(streamed.length).toBeGreaterThan(3)
    expect(seen.at(-1)?.status).toBe('succeeded')
    // The component's own alert (Next.js adds a route announcer with role="alert" elsewhere).
    expect(await page.locator('section').getByRole('alert').count()).toBe(0)
    expect(errors).toEqual([])
    await context.close()
  })

  it('cancels the prediction halfway, on the server too', async () => {
    const app = setup()
    const { context, page, errors } = await openPage(app)
    await page.getByRole('button', { name: 'Start' }).click()
    await waitForFirstWords(page)
    await page.getByRole('button', { name: 'Cancel' }).click()
    await waitForStatus(page, 'canceled')

    const [latest] = await predictions(app.apiUrl)
    // Replicate keeps what was generated before the cancel; so does the page.
    expect(latest).toMatchObject({ status: 'canceled' })
    expect(await shownText(page)).toBe((latest!.output as string[]).join(''))
    expect(await page.getByRole('button', { name: 'Cancel' }).isDisabled()).toBe(true)
    expect(errors).toEqual([])
    await context.close()
  })

  it('picks the same prediction up again after a reload halfway (resume)', async () => {
    const app = setup()
    const { context, page, errors } = await openPage(app)
    const before = (await predictions(app.apiUrl)).length
    await page.getByRole('button', { name: 'Start' }).click()
    await waitForFirstWords(page)
    await page.reload()
    await waitForStatus(page, 'succeeded')

    const [latest, ...older] = await predictions(app.apiUrl)
    expect(older).toHaveLength(before) // no second prediction
    const text = (latest!.output as string[]).join('')
    expect(await shownText(page)).toBe(text)
    // After the reload the page saw the prediction still running, part of the haiku shown.
    const seen = await page.evaluate(() => (window as unknown as Recorded).seen)
    expect(seen.some((entry) => entry.status === 'processing' && entry.length < text.length)).toBe(
      true,
    )
    expect(errors).toEqual([])
    await context.close()
  })
}
