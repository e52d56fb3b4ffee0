/**
 * How many concurrent streams the local server holds at 50 tokens/s: the server runs here, its
 * clients in a child process (`bench/local-server-clients.mjs`), and a load is held when the
 * 99th percentile of how late the `output` events arrive against their schedule is ≤ 20 ms.
 * Loads step up until one is not held. The same clients then measure a bare `node:http` server
 * writing the same bytes on the same schedule (`local-server-reference.ts`): the floor of this
 * machine, so that a load the local server does not hold can be told apart from one nothing
 * written in Node holds here.
 */
import { execFile } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { LOCAL_API_TOKEN, startReplicateServer } from '../../src/testing'
import { startReferenceServer } from './local-server-reference'

const run = promisify(execFile)
const CLIENTS = fileURLToPath(new URL('../local-server-clients.mjs', import.meta.url))

export const TOKENS_PER_SECOND = 50
export const P99_BUDGET_MS = 20
/** Each stream: 250 tokens, so 5 s at 50 tokens/s. */
const OUTPUTS = 250
/** Time for every client to create its prediction and connect before the first output. */
const FIRST_OUTPUT_DELAY_MS = 3_000

/** Which server a trial measured: the local server, or the bare `node:http` reference. */
export type CapacityServer = 'local server' | 'reference'

/** One load: `streams` at once. Lateness in ms. */
export interface CapacityTrial {
  server: CapacityServer
  streams: number
  outputs: number
  expectedOutputs: number
  failures: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** The server's event loop delay, 99th percentile, over the trial. */
  serverLoopDelayP99Ms: number
  /**
   * The server process's CPU time (user + system) over the trial, creates included, per output
   * received: what the server costs, which other work on the machine changes far less than it
   * changes lateness.
   */
  serverCpuMicrosPerOutput: number
  /**
   * The machine's 1-minute load average at the end of the trial: the cores are shared, and a
   * trial run while other work was busy says less about the server.
   */
  loadAverage: number
  held: boolean
}

const CADENCE = { tokensPerSecond: TOKENS_PER_SECOND, firstOutputDelayMs: FIRST_OUTPUT_DELAY_MS }

function startServer(server: CapacityServer): Promise<{ apiUrl: string; close(): Promise<void> }> {
  return server === 'reference'
    ? startReferenceServer(CADENCE)
    : startReplicateServer({ cadence: CADENCE, seed: 1 })
}

async function trial(which: CapacityServer, streams: number): Promise<CapacityTrial> {
  const server = await startServer(which)
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const cpu = process.cpuUsage()
  try {
    const options = {
      apiUrl: server.apiUrl,
      token: LOCAL_API_TOKEN,
      streams,
      outputs: OUTPUTS,
      tokensPerSecond: TOKENS_PER_SECOND,
      firstOutputDelayMs: FIRST_OUTPUT_DELAY_MS,
    }
    const { stdout } = await run(process.execPath, [CLIENTS, JSON.stringify(options)], {
      maxBuffer: 1 << 20,
    })
    const result = JSON.parse(stdout) as Omit<
      CapacityTrial,
      'server' | 'serverLoopDelayP99Ms' | 'serverCpuMicrosPerOutput' | 'loadAverage' | 'held'
    >
    const { user, system } = process.cpuUsage(cpu)
    return {
      server: which,
      ...result,
      serverLoopDelayP99Ms: loop.percentile(99) / 1e6,
      serverCpuMicrosPerOutput: (user + system) / Math.max(1, result.outputs),
      loadAverage: loadavg()[0]!,
      held:
        result.failures === 0 &&
        result.outputs === result.expectedOutputs &&
        result.p99Ms <= P99_BUDGET_MS,
    }
  } finally {
    loop.disable()
    await server.close()
  }
}

/** One stream of `outputs` items at the instant cadence, from create to `done`. */
export interface LongStream {
  outputs: number
  seconds: number
  microsPerOutput: number
}

/**
 * Streams `local/echo` predictions of each length at the instant cadence and times them end to
 * end: with O(1) work per output the time per output stays flat as the stream grows.
 */
export async function runLongStreams(lengths: readonly number[]): Promise<LongStream[]> {
  const server = await startReplicateServer({ cadence: 'instant' })
  try {
    const rows: LongStream[] = []
    for (const outputs of lengths) {
      const items = Array.from({ length: outputs }, (_, index) => ` t${index}`)
      const started = performance.now()
      const created = await fetch(`${server.apiUrl}/models/local/echo/predictions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${LOCAL_API_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ input: { prompt: 'bench', outputs: items } }),
      })
      const prediction = (await created.json()) as { urls: { stream: string } }
      const response = await fetch(prediction.urls.stream)
      const decoder = new TextDecoder()
      // The last bytes read, enough to hold `event: done` split across two reads.
      let tail = ''
      for await (const chunk of response.body!) {
        tail = (tail + decoder.decode(chunk as Uint8Array, { stream: true })).slice(-256)
        if (tail.includes('event: done\n')) break
      }
      const seconds = (performance.now() - started) / 1000
      rows.push({ outputs, seconds, microsPerOutput: (seconds * 1e6) / outputs })
    }
    return rows
  } finally {
    await server.close()
  }
}

/**
 * Steps through `loads` (ascending) until one is not held, for the local server and for the
 * reference, one after the other at each load so that both see the machine in the same state.
 */
export async function runLocalServerCapacity(
  loads: readonly number[],
  log: (line: string) => void,
): Promise<{ trials: CapacityTrial[]; heldStreams: number; referenceHeldStreams: number }> {
  const trials: CapacityTrial[] = []
  const held: Record<CapacityServer, number> = { 'local server': 0, reference: 0 }
  const stepping = new Set<CapacityServer>(['local server', 'reference'])
  for (const streams of loads) {
    for (const server of [...stepping]) {
      const result = await trial(server, streams)
      trials.push(result)
      log(
        `${server}, ${streams} streams at ${TOKENS_PER_SECOND} tokens/s: p99 lateness ` +
          `${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms, ${result.failures} ` +
          `failures, server CPU ${result.serverCpuMicrosPerOutput.toFixed(1)} µs per output, ` +
          `load average ${result.loadAverage.toFixed(2)} → ${result.held ? 'held' : 'not held'}`,
      )
      if (result.held) held[server] = streams
      else stepping.delete(server)
    }
    if (stepping.size === 0) break
  }
  return { trials, heldStreams: held['local server'], referenceHeldStreams: held.reference }
}
