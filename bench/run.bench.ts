/**
 * `npm run bench`: what users compare, measured in one run and reported as ratios, written to
 * `bench-results/results.{json,md}`. It measures; it asserts nothing (`npm test` asserts counts).
 *
 * `BENCH_FULL=1` adds the long Chromium streams left out by default; `BENCH_QUICK=1` runs a
 * one-minute smoke version (one short stream per client, one load of the local server);
 * `BENCH_ONLY=bundles,node` runs only the named sections (bundles, node, local-server, paragraph,
 * peers).
 */
import { execFileSync } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, release, totalmem, type } from 'node:os'
import type { Browser } from 'playwright'
import { afterAll, beforeAll, it } from 'vitest'
import { recordingsOfModel } from '../src/testing/models/recordings'
import { startTokenPacer, type TokenPacer } from '../testkit/token-pacer'
import { buildPages } from './browser/build-pages'
import { launchChromium } from './browser/chromium'
import { toMarkdown, type BenchResults } from './report'
import { measureBundles } from './sections/bundle-size'
import { runLocalServerCapacity, runLongStreams, TOKENS_PER_SECOND } from './sections/local-server'
import { runNodeStream } from './sections/node-stream'
import { runParagraph } from './sections/paragraph'
import { DEFAULT_MATRIX, runPeers, SKIPPED } from './sections/peers'

const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim())
const full = process.env.BENCH_FULL === '1'
const quick = process.env.BENCH_QUICK === '1'
const wanted = (section: string) => !only || only.includes(section)
const needsBrowser = wanted('paragraph') || wanted('peers')

/** Real tokens: the longest recorded language-model output, cycled. */
const RECORDED = recordingsOfModel('nateraw/goliath-120b')[0]!.output

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()

const results: BenchResults = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    loadAverage: { start: loadavg()[0]! },
  },
  source: {
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommittedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length,
  },
}

let browser: Browser | undefined
let pacer: TokenPacer | undefined
let pagesDir: string | undefined
const log = (line: string) => console.log(line)

beforeAll(async () => {
  if (!needsBrowser) return
  pagesDir = await buildPages()
  pacer = await startTokenPacer(pagesDir)
  browser = await launchChromium()
  results.machine.chromium = browser.version()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await pacer?.close()
  if (pagesDir) await rm(pagesDir, { recursive: true, force: true })
  results.machine.loadAverage.end = loadavg()[0]!
  const markdown = toMarkdown(results)
  await mkdir('bench-results', { recursive: true })
  await writeFile('bench-results/results.json', `${JSON.stringify(results, null, 2)}\n`)
  await writeFile('bench-results/results.md', `${markdown}\n`)
  console.log(`\n${markdown}`)
})

it.runIf(wanted('bundles'))('bundle sizes', async () => {
  results.bundles = await measureBundles()
})

it.runIf(wanted('node'))('Node: PredictionStream, eventsource-parser, the body', async () => {
  results.node = await runNodeStream(RECORDED, 100_000, 3)
})

it.runIf(wanted('local-server'))('local server: concurrent streams at 50 tokens/s', async () => {
  const longStreams = await runLongStreams(quick ? [10_000] : [10_000, 40_000])
  const loads = quick ? [200] : [250, 500, 750, 1000, 1500, 2000]
  const capacity = await runLocalServerCapacity(loads, log)
  results.localServer = { longStreams, tokensPerSecond: TOKENS_PER_SECOND, ...capacity }
})

it.runIf(wanted('paragraph'))('<StreamingText> with one long paragraph', async () => {
  results.paragraph = await runParagraph(browser!, pacer!.url)
})

it.runIf(wanted('peers'))('Chromium: ours, the AI SDK and a naive client', async () => {
  const matrix = quick
    ? [{ tokens: 2_000, tokensPerSecond: 5_000, reps: 1 }]
    : full
      ? [...DEFAULT_MATRIX, ...SKIPPED]
      : DEFAULT_MATRIX
  const { runs, summaries } = await runPeers(browser!, pacer!, RECORDED, matrix, log)
  const skipped = full ? [] : SKIPPED
  results.peers = { matrix, skipped, runs, summaries }
})
