import { Profiler, useEffect, useLayoutEffect, useState } from 'react'
import { flushSync } from 'react-dom'
import { createRoot } from 'react-dom/client'
import { expect, it } from 'vitest'
import { commands } from 'vitest/browser'
import {
  PredictionStream,
  StreamingText,
  usePredictionStream,
  watchPredictionStream,
} from '../src/index'
import { recordingsOfModel } from '../src/testing/models/recordings'
import { pacedTokenFetch } from '../testkit/paced-token-fetch'

// `npm run bench`: React commits per 1,000 tokens for our hook and for a naive
// useState-per-token baseline, fed the same real stream in the same run, and the time of one
// <StreamingText> update with 1,000 and 100,000 characters shown against a plain `{text}`.
// Ratios within one run are the result; absolute times depend on the machine.

const RECORDED = recordingsOfModel('nateraw/goliath-120b')[0]!.output
const TOKENS = Array.from({ length: 1000 }, (_, index) => RECORDED[index % RECORDED.length]!)
const RATES = [50, 500, 5000]
const results: Record<string, unknown> = {}

function mount(node: React.ReactNode) {
  const container = document.createElement('div')
  document.body.append(container)
  const root = createRoot(container)
  flushSync(() => root.render(node))
  return {
    container,
    unmount() {
      root.unmount()
      container.remove()
    },
  }
}

function Ours({ stream }: { stream: PredictionStream }) {
  const { text, status } = usePredictionStream({ stream })
  return <StreamingText text={text} status={status} />
}

/** What people write first: one setState per token, one render per token. */
function Naive({ stream }: { stream: PredictionStream }) {
  const [text, setText] = useState('')
  useEffect(
    () => watchPredictionStream(stream, { onOutput: (data) => setText((t) => t + data) }),
    [stream],
  )
  return <div style={{ whiteSpace: 'pre-wrap' }}>{text}</div>
}

it('React commits per 1,000 tokens', { timeout: 120_000 }, async () => {
  const rows: { tokensPerSecond: number; ours: number; naive: number; frames: number }[] = []
  for (const rate of RATES) {
    const stream = new PredictionStream({
      endpoint: `${location.origin}/bench-endpoint`,
      model: 'bench/tokens',
      fetch: pacedTokenFetch(TOKENS, rate),
    })
    const commits = { ours: 0, naive: 0 }
    let frames = 0
    let counting = true
    const tick = () => {
      frames += 1
      if (counting) requestAnimationFrame(tick)
    }
    const view = mount(
      <>
        <Profiler id="ours" onRender={() => void (commits.ours += 1)}>
          <Ours stream={stream} />
        </Profiler>
        <Profiler id="naive" onRender={() => void (commits.naive += 1)}>
          <Naive stream={stream} />
        </Profiler>
      </>,
    )
    commits.ours = 0
    commits.naive = 0
    requestAnimationFrame(tick)
    await stream.start({ prompt: 'bench' })
    await new Promise<void>((resolve) => {
      const check = () =>
        stream.getSnapshot().connection === 'closed' ? resolve() : setTimeout(check, 5)
      check()
    })
    counting = false
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(stream.getSnapshot().output).toHaveLength(TOKENS.length)
    rows.push({ tokensPerSecond: rate, ours: commits.ours, naive: commits.naive, frames })
    view.unmount()
  }
  results.commitsPer1000Tokens = rows
  console.table(rows)
})

const BATCHES = 30
const BATCH_SIZE = 20

/** Median time of one one-token append, starting from `initialLength` characters. */
function timeUpdates(
  Component: (props: { text: string }) => React.ReactNode,
  initialLength: number,
  withLayout: boolean,
): number {
  const target = 'lorem ipsum dolor sit amet\n'
    .repeat(Math.ceil(initialLength / 27))
    .slice(0, initialLength)
  let text = ''
  const control = { setText: (_text: string) => {} }
  function Host({ expose }: { expose: (set: (text: string) => void) => void }) {
    const [value, set] = useState('')
    useLayoutEffect(() => expose(set), [expose, set])
    return <Component text={value} />
  }
  const view = mount(<Host expose={(set) => void (control.setText = set)} />)
  const setText = (value: string) => control.setText(value)
  // Reach the starting length the way a stream does, by appends.
  for (let offset = 0; offset < target.length; offset += 500) {
    text = target.slice(0, offset + 500)
    flushSync(() => setText(text))
  }
  // performance.now() is coarse (0.1 ms here), so each sample times a batch of updates.
  const samples: number[] = []
  for (let batch = 0; batch < BATCHES; batch += 1) {
    const started = performance.now()
    for (let update = 0; update < BATCH_SIZE; update += 1) {
      text += update % 9 === 8 ? ' end.\n' : ` tok${update}`
      flushSync(() => setText(text))
      if (withLayout) void view.container.getBoundingClientRect().height
    }
    samples.push((performance.now() - started) / BATCH_SIZE)
  }
  view.unmount()
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)]!
}

const Plain = ({ text }: { text: string }) => <div style={{ whiteSpace: 'pre-wrap' }}>{text}</div>
const Streaming = ({ text }: { text: string }) => (
  <StreamingText text={text} status="processing" announcements={false} cursor={false} />
)

it('<StreamingText> update time at 1,000 and 100,000 characters', { timeout: 120_000 }, () => {
  const rows = []
  for (const withLayout of [false, true]) {
    for (const [name, Component] of [
      ['StreamingText', Streaming],
      ['plain {text}', Plain],
    ] as const) {
      // Warm up both paths once so the JIT does not favour whichever runs second.
      timeUpdates(Component, 1000, withLayout)
      const small = timeUpdates(Component, 1000, withLayout)
      const large = timeUpdates(Component, 100_000, withLayout)
      rows.push({
        component: name,
        withLayout,
        ms1000: small,
        ms100000: large,
        ratio: large / small,
      })
    }
  }
  results.updateTime = rows
  console.table(rows)
})

it('writes the results', async () => {
  const commits = results.commitsPer1000Tokens as {
    tokensPerSecond: number
    ours: number
    naive: number
    frames: number
  }[]
  const updates = results.updateTime as {
    component: string
    withLayout: boolean
    ms1000: number
    ms100000: number
    ratio: number
  }[]
  const fixed = (value: number) => value.toFixed(3)
  const markdown = [
    `# Benchmark (${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}, ${new Date().toISOString()})`,
    '',
    '## React commits per 1,000 tokens (same stream, same run)',
    '',
    '| tokens/s | usePredictionStream | naive useState per token | frames during the stream | naive ÷ ours |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...(commits ?? []).map(
      (row) =>
        `| ${row.tokensPerSecond} | ${row.ours} | ${row.naive} | ${row.frames} | ${(row.naive / row.ours).toFixed(1)} |`,
    ),
    '',
    '## Time of one update (ms; median over 30 batches of 20 one-token appends)',
    '',
    '| component | layout included | 1,000 chars | 100,000 chars | ratio 100k ÷ 1k |',
    '| --- | --- | ---: | ---: | ---: |',
    ...(updates ?? []).map(
      (row) =>
        `| ${row.component} | ${row.withLayout ? 'yes' : 'no'} | ${fixed(row.ms1000)} | ${fixed(row.ms100000)} | ${row.ratio.toFixed(2)} |`,
    ),
    '',
  ].join('\n')
  await commands.writeFile('bench-results/results.json', JSON.stringify(results, null, 2))
  await commands.writeFile('bench-results/results.md', markdown)
  console.log(`\n${markdown}`)
})
