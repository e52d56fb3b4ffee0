/**
 * `<StreamingText>` with one long paragraph: the cost of one small update (commit + layout) at
 * 1k and 60k characters with no line break, the same with a line break every 20 tokens, after a
 * single 1 MB token, with its cursor, with a plain `{text}`, and the browser alone (no React) for
 * reference: `appendData` on one text node, and the same with `<StreamingText>`'s `<wbr>` chunks,
 * which is the floor for one paragraph in one element (both are reported, so the floor is not
 * the slower of the two). Runs on the production-built
 * `paragraph` page (`bench/pages/paragraph.tsx`).
 */
import type { Browser } from 'playwright'
import type { ParagraphCase } from '../pages/paragraph'
import { openPage } from '../browser/chromium'

export interface ParagraphRow {
  label: string
  case: ParagraphCase
  /** Median ms per update. */
  msPerUpdate: number
}

const steady = { stepCharacters: 500, batches: 30, batchSize: 10 }

export const PARAGRAPH_CASES: readonly { label: string; case: ParagraphCase }[] = [
  {
    label: 'StreamingText, 1k characters, one paragraph',
    case: { component: 'StreamingText', initialCharacters: 1_000, newlineEvery: 0, ...steady },
  },
  {
    label: 'StreamingText, 60k characters, one paragraph',
    case: { component: 'StreamingText', initialCharacters: 60_000, newlineEvery: 0, ...steady },
  },
  {
    label: 'StreamingText with its cursor and live region, 60k characters, one paragraph',
    case: {
      component: 'StreamingText-cursor',
      initialCharacters: 60_000,
      newlineEvery: 0,
      ...steady,
    },
  },
  {
    label: 'StreamingText, 60k characters, a newline every 20 tokens',
    case: { component: 'StreamingText', initialCharacters: 60_000, newlineEvery: 20, ...steady },
  },
  {
    label: 'plain {text}, 60k characters, one paragraph',
    case: { component: 'plain', initialCharacters: 60_000, newlineEvery: 0, ...steady },
  },
  {
    label: 'the browser alone (appendData + layout), 60k characters, one paragraph',
    case: { component: 'dom', initialCharacters: 60_000, newlineEvery: 0, ...steady },
  },
  {
    label:
      'the browser alone with `<wbr>` chunks (as StreamingText), 60k characters, one paragraph',
    case: { component: 'dom-wbr', initialCharacters: 60_000, newlineEvery: 0, ...steady },
  },
  {
    label: 'StreamingText, after one 1 MB token',
    case: {
      component: 'StreamingText',
      initialCharacters: 1_000_000,
      newlineEvery: 0,
      stepCharacters: 1_000_000,
      batches: 5,
      batchSize: 4,
    },
  },
  {
    label: 'plain {text}, after one 1 MB token',
    case: {
      component: 'plain',
      initialCharacters: 1_000_000,
      newlineEvery: 0,
      stepCharacters: 1_000_000,
      batches: 5,
      batchSize: 4,
    },
  },
  {
    label: 'the browser alone (appendData + layout), after one 1 MB token',
    case: {
      component: 'dom',
      initialCharacters: 1_000_000,
      newlineEvery: 0,
      stepCharacters: 1_000_000,
      batches: 5,
      batchSize: 4,
    },
  },
  {
    label: 'the browser alone with `<wbr>` chunks (as StreamingText), after one 1 MB token',
    case: {
      component: 'dom-wbr',
      initialCharacters: 1_000_000,
      newlineEvery: 0,
      stepCharacters: 1_000_000,
      batches: 5,
      batchSize: 4,
    },
  },
]

export async function runParagraph(browser: Browser, baseUrl: string): Promise<ParagraphRow[]> {
  const rows: ParagraphRow[] = []
  const bench = await openPage(browser, `${baseUrl}/paragraph.html`)
  try {
    const { page, cdp } = bench
    // Nothing here reads CDP's metrics, and collecting them costs the page time on every task.
    await cdp.send('Performance.disable')
    await page.waitForFunction(() => window.paragraph !== undefined)
    // Warm up both components once, so the JIT favours neither.
    for (const component of ['StreamingText', 'plain'] as const) {
      await page.evaluate((options) => window.paragraph!.measure(options), {
        component,
        initialCharacters: 5_000,
        newlineEvery: 0,
        ...steady,
        batches: 5,
      })
    }
    for (const { label, case: options } of PARAGRAPH_CASES) {
      const msPerUpdate = await page.evaluate(
        (options) => window.paragraph!.measure(options),
        options,
      )
      rows.push({ label, case: options, msPerUpdate })
    }
  } finally {
    await bench.close()
  }
  return rows
}
