/**
 * Debian's Chromium driven by Playwright, with the same flags as the browser tests
 * (`vitest.chromium.ts`), and the Chrome DevTools Protocol for what a page cannot measure about
 * itself: main-thread time and the JS heap after a forced garbage collection.
 */
import { chromium, type Browser, type CDPSession, type Page } from 'playwright'
import { CHROMIUM_LAUNCH_OPTIONS } from '../../vitest.chromium'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    ...CHROMIUM_LAUNCH_OPTIONS,
    args: [...CHROMIUM_LAUNCH_OPTIONS.args],
  })
}

/** CDP `Performance.getMetrics`, the ones the bench reads (seconds and bytes, as CDP gives). */
export interface MainThreadMetrics {
  /** All main-thread tasks, in wall time: includes time the thread waited for a core. */
  TaskDuration: number
  /** CPU time of the main thread: what the tasks cost, whatever else shares the machine. */
  ThreadTime: number
  ScriptDuration: number
  LayoutDuration: number
  RecalcStyleDuration: number
  JSHeapUsedSize: number
}

/** A page in a fresh browser context (its own renderer process), with a CDP session on it. */
export interface BenchPage {
  page: Page
  cdp: CDPSession
  metrics(): Promise<MainThreadMetrics>
  /** Forces a full garbage collection, then reads the used JS heap in bytes. */
  heapAfterGc(): Promise<number>
  close(): Promise<void>
}

export async function openPage(browser: Browser, url: string): Promise<BenchPage> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  page.on('pageerror', (error) => console.error(`page error (${url}):`, error))
  await page.goto(url)
  const metrics = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics')
    const byName = Object.fromEntries(metrics.map(({ name, value }) => [name, value]))
    return {
      TaskDuration: byName.TaskDuration ?? NaN,
      ThreadTime: byName.ThreadTime ?? NaN,
      ScriptDuration: byName.ScriptDuration ?? NaN,
      LayoutDuration: byName.LayoutDuration ?? NaN,
      RecalcStyleDuration: byName.RecalcStyleDuration ?? NaN,
      JSHeapUsedSize: byName.JSHeapUsedSize ?? NaN,
    }
  }
  return {
    page,
    cdp,
    metrics,
    async heapAfterGc() {
      await cdp.send('HeapProfiler.collectGarbage')
      return (await metrics()).JSHeapUsedSize
    },
    close: () => context.close(),
  }
}
