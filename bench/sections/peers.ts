/**
 * The four clients side by side in Chromium: ours, the AI SDK's `useCompletion` (default and
 * `experimental_throttle: 16`) and a naive `EventSource` + `useState`, each on its own
 * production-built page, fed the same tokens at the same times by one pacer. Runs of the four are
 * interleaved (their order rotates with each repetition), each in a fresh browser context.
 */
import type { Browser } from 'playwright'
import type { TokenPacer } from '../../testkit/token-pacer'
import { openPage } from '../browser/chromium'
import type { PageName } from '../browser/build-pages'
import { median } from '../stats'

/** The clients compared, in the order of the report's columns. */
export const CLIENTS = [
  { page: 'ours', label: 'ours' },
  { page: 'ai-sdk', label: 'AI SDK useCompletion' },
  { page: 'ai-sdk-throttled', label: 'AI SDK useCompletion, throttle 16' },
  { page: 'naive', label: 'naive EventSource + useState' },
] as const satisfies readonly { page: PageName; label: string }[]

export type ClientPage = (typeof CLIENTS)[number]['page']

/** One stream length at one rate, repeated `reps` times per client. */
export interface PeerConfig {
  tokens: number
  tokensPerSecond: number
  reps: number
}

/**
 * What runs by default: about six minutes of streams. Each client gets the whole stream in real
 * time, so a stream of `tokens / tokensPerSecond` seconds costs four times that.
 */
export const DEFAULT_MATRIX: readonly PeerConfig[] = [
  { tokens: 2_000, tokensPerSecond: 50, reps: 1 },
  { tokens: 2_000, tokensPerSecond: 500, reps: 2 },
  { tokens: 2_000, tokensPerSecond: 5_000, reps: 3 },
  { tokens: 20_000, tokensPerSecond: 500, reps: 1 },
  { tokens: 20_000, tokensPerSecond: 5_000, reps: 2 },
  { tokens: 100_000, tokensPerSecond: 5_000, reps: 1 },
]

/** Left out by default, with why; `BENCH_FULL=1` runs them too. */
export const SKIPPED: readonly (PeerConfig & { why: string })[] = [
  { tokens: 20_000, tokensPerSecond: 50, reps: 1, why: '400 s per client' },
  { tokens: 100_000, tokensPerSecond: 50, reps: 1, why: '2,000 s per client' },
  { tokens: 100_000, tokensPerSecond: 500, reps: 1, why: '200 s per client' },
]

/** One client's run. Times in ms, heap in bytes. */
export interface RunMeasure {
  client: ClientPage
  tokens: number
  tokensPerSecond: number
  /** React commits of the client's tree. */
  commits: number
  /** CDP TaskDuration: everything the renderer's main thread did during the run (wall time). */
  mainThreadMs: number
  /** CDP ThreadTime: the main thread's CPU time, which other processes on the machine do not inflate. */
  mainThreadCpuMs: number
  /** CDP ScriptDuration. */
  scriptMs: number
  /** CDP LayoutDuration + RecalcStyleDuration. */
  layoutMs: number
  longTasks: number
  longTaskMs: number
  /** From the pacer's last write to the last change of the text in the DOM. */
  lastByteToTextMs: number
  /** Used JS heap after a forced GC at the end, and its growth over the run. */
  heapBytes: number
  heapGrowthBytes: number
  /** The text in the DOM was exactly the tokens joined. */
  textMatches: boolean
}

/** The median of each measure over a client's runs of one config. */
export type ClientSummary = Omit<RunMeasure, 'textMatches'> & { runs: number; textMatches: boolean }

async function measureRun(
  browser: Browser,
  pacer: TokenPacer,
  client: ClientPage,
  tokens: readonly string[],
  tokensPerSecond: number,
  runId: string,
): Promise<RunMeasure> {
  const expected = tokens.join('')
  pacer.prepare(runId, { tokens, tokensPerSecond })
  const bench = await openPage(browser, `${pacer.url}/${client}.html?run=${runId}`)
  try {
    const { page } = bench
    await page.waitForFunction(() => window.bench?.ready() === true)
    const heapBefore = await bench.heapAfterGc()
    const before = await bench.metrics()
    await page.evaluate(() => window.bench!.start())
    const times = await pacer.finished(runId)
    // Polled only once every byte is out, so the polling costs the page nothing while it streams.
    await page.waitForFunction((length) => window.bench!.textLength() >= length, expected.length, {
      polling: 50,
      timeout: 120_000,
    })
    const after = await bench.metrics()
    const result = await page.evaluate((text) => window.bench!.result(text), expected)
    const heap = await bench.heapAfterGc()
    return {
      client,
      tokens: tokens.length,
      tokensPerSecond,
      commits: result.commits,
      mainThreadMs: (after.TaskDuration - before.TaskDuration) * 1000,
      mainThreadCpuMs: (after.ThreadTime - before.ThreadTime) * 1000,
      scriptMs: (after.ScriptDuration - before.ScriptDuration) * 1000,
      layoutMs:
        (after.LayoutDuration -
          before.LayoutDuration +
          after.RecalcStyleDuration -
          before.RecalcStyleDuration) *
        1000,
      longTasks: result.longTasks,
      longTaskMs: result.longTaskMs,
      lastByteToTextMs: (result.lastTextChangeAt ?? NaN) - times.lastByteAt,
      heapBytes: heap,
      heapGrowthBytes: heap - heapBefore,
      textMatches: result.textMatches,
    }
  } finally {
    await bench.close()
  }
}

/** `count` tokens, cycling through `recorded`. */
export function tokensOf(recorded: readonly string[], count: number): string[] {
  return Array.from({ length: count }, (_, index) => recorded[index % recorded.length]!)
}

/** Runs `matrix`, interleaving the clients, and returns the per-client medians of each config. */
export async function runPeers(
  browser: Browser,
  pacer: TokenPacer,
  recorded: readonly string[],
  matrix: readonly PeerConfig[],
  log: (line: string) => void,
): Promise<{ runs: RunMeasure[]; summaries: ClientSummary[] }> {
  const runs: RunMeasure[] = []
  const summaries: ClientSummary[] = []
  for (const [configIndex, config] of matrix.entries()) {
    const tokens = tokensOf(recorded, config.tokens)
    const mine: RunMeasure[] = []
    for (let rep = 0; rep < config.reps; rep++) {
      // Rotate the order with each repetition and config, so no client always runs first or last.
      const shift = rep + configIndex
      const order = CLIENTS.map((_, index) => CLIENTS[(index + shift) % CLIENTS.length]!.page)
      for (const client of order) {
        const runId = `${client}-${config.tokens}-${config.tokensPerSecond}-${rep}`
        let run: RunMeasure
        try {
          run = await measureRun(browser, pacer, client, tokens, config.tokensPerSecond, runId)
        } catch (error) {
          // One broken run must not cost the rest of the bench: it is reported and left out.
          log(`${runId}: FAILED, ${String(error)}`)
          continue
        }
        log(
          `${runId}: ${run.commits} commits, ${run.mainThreadMs.toFixed(0)} ms main thread, ` +
            `${run.lastByteToTextMs.toFixed(1)} ms last byte → text, text ${run.textMatches ? 'ok' : 'WRONG'}`,
        )
        mine.push(run)
      }
    }
    runs.push(...mine)
    for (const { page } of CLIENTS) {
      const of = mine.filter((run) => run.client === page)
      const pick = (key: keyof Omit<RunMeasure, 'client' | 'textMatches'>) =>
        median(of.map((run) => run[key]))
      summaries.push({
        client: page,
        tokens: config.tokens,
        tokensPerSecond: config.tokensPerSecond,
        runs: of.length,
        commits: pick('commits'),
        mainThreadMs: pick('mainThreadMs'),
        mainThreadCpuMs: pick('mainThreadCpuMs'),
        scriptMs: pick('scriptMs'),
        layoutMs: pick('layoutMs'),
        longTasks: pick('longTasks'),
        longTaskMs: pick('longTaskMs'),
        lastByteToTextMs: pick('lastByteToTextMs'),
        heapBytes: pick('heapBytes'),
        heapGrowthBytes: pick('heapGrowthBytes'),
        textMatches: of.every((run) => run.textMatches),
      })
    }
  }
  return { runs, summaries }
}
