/**
 * What every streaming page of the bench shares: it mounts the page's client under a React
 * `<Profiler>` (the production profiling build, aliased by `bench/browser/build-pages.ts`) and
 * lets the driver start the stream and read what the page itself can count: commits, long tasks
 * and when the text in `#out` last changed. Main-thread time and heap come from the Chrome
 * DevTools Protocol, outside the page.
 */
import { Profiler, type ComponentType } from 'react'
import { createRoot } from 'react-dom/client'

/** Props of a page's client: the pacer's run id, and where to hand over its start function. */
export interface ClientProps {
  run: string
  register: (start: () => void) => void
}

/** What a page reports after a run. */
export interface PageResult {
  /** React commits of the client's tree since `start()`. */
  commits: number
  /** Long tasks (≥ 50 ms) since `start()`, and their total duration in ms. */
  longTasks: number
  longTaskMs: number
  /** Batches of DOM changes to the text in `#out` (mutation observer callbacks). */
  textMutationBatches: number
  /** Wall-clock ms of the last change to the text in `#out`, or `null`. */
  lastTextChangeAt: number | null
  /** `#out`'s text is exactly the expected text. */
  textMatches: boolean
}

/** The page's controls, for the driver (`page.evaluate`). */
export interface BenchControl {
  ready(): boolean
  start(): void
  /** Characters of text in `#out` now, `<StreamingText>`'s cursor excluded. */
  textLength(): number
  result(expected: string): PageResult
}

declare global {
  interface Window {
    bench?: BenchControl
  }
}

/** Wall-clock ms with sub-millisecond precision, comparable with the pacer's clock. */
const wallClock = () => performance.timeOrigin + performance.now()

/** The cursor of `<StreamingText>` comes and goes with the status; it is not text. */
const isCursor = (node: Node) =>
  node instanceof Element && node.hasAttribute('data-streaming-cursor')

/** Mounts `Client` and installs `window.bench`. */
export function mountBenchPage(Client: ComponentType<ClientProps>): void {
  const run = new URLSearchParams(location.search).get('run') ?? ''
  let commits = 0
  let longTasks = 0
  let longTaskMs = 0
  let textMutationBatches = 0
  let lastTextChangeAt: number | null = null
  let start: (() => void) | undefined
  const out = () => document.getElementById('out')

  createRoot(document.getElementById('root')!).render(
    <Profiler id="client" onRender={() => void (commits += 1)}>
      <Client run={run} register={(startRun) => void (start = startRun)} />
    </Profiler>,
  )

  window.bench = {
    ready: () => start !== undefined && out() !== null,
    start() {
      commits = 0
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          longTasks += 1
          longTaskMs += entry.duration
        }
      }).observe({ type: 'longtask' })
      // Constant work per batch of records: this runs after every commit of every page alike.
      new MutationObserver((records) => {
        for (const record of records) {
          const nodes = [...record.addedNodes, ...record.removedNodes]
          if (record.type === 'childList' && nodes.length > 0 && nodes.every(isCursor)) continue
          textMutationBatches += 1
          lastTextChangeAt = wallClock()
          return
        }
      }).observe(out()!, { subtree: true, childList: true, characterData: true })
      start!()
    },
    textLength() {
      const cursor = out()?.querySelector('[data-streaming-cursor]')
      return (out()?.textContent?.length ?? 0) - (cursor?.textContent?.length ?? 0)
    },
    result: (expected) => ({
      commits,
      longTasks,
      longTaskMs,
      textMutationBatches,
      lastTextChangeAt,
      textMatches: out()?.textContent === expected,
    }),
  }
}
