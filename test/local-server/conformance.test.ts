/**
 * The server-side conformance cases of `docs/replicate-protocol.md` §5, byte for byte. A fixed
 * clock and seed make ids reproducible (`1690212292:n`, the docs' own example second), and the
 * local-only `local/echo` model yields exactly the items a case needs.
 */
import { describe, expect, it } from 'vitest'
import { ECHO_MODEL } from '../../src/testing/models/served-models'
import {
  TEXT_RECORDINGS,
  FILE_RECORDINGS,
  fnv1a32,
  recordingsOfModel,
} from '../../src/testing/models/recordings'
import {
  AUTH,
  createPrediction,
  getPrediction,
  rawGet,
  readStream,
  serverStarter,
  untilDone,
  utf8,
} from '../../testkit/local-server'

const start = serverStarter()
const SECOND = 1690212292
const fixed = { seed: 7, now: () => SECOND * 1000 }

/** Creates an echo prediction yielding `outputs` and returns its stream's bytes up to `done`. */
async function wireOf(outputs: string[], options = {}): Promise<string> {
  const server = await start({ ...fixed, ...options })
  const prediction = await createPrediction(server.apiUrl, ECHO_MODEL, { prompt: 'x', outputs })
  return (await readStream(prediction.urls.stream!, untilDone)).text
}

const id = (n: number) => `id: ${SECOND}:${n}\n`

describe('§2.4 framing, byte for byte', () => {
  it('C-1, C-2, C-3, C-19, C-20: the protocol’s full wire example', async () => {
    expect(await wireOf(['Once upon a time', ',', ' there was\n'])).toBe(
      ': hi\n\n' +
        `event: output\n${id(0)}data: Once upon a time\n\n` +
        `event: output\n${id(1)}data: ,\n\n` +
        `event: output\n${id(2)}data:  there was\ndata: \n\n` +
        `event: done\n${id(3)}data: {}\n\n`,
    )
  })

  it('C-4: a payload with newlines becomes one data line per line', async () => {
    expect(await wireOf(['hello,\nthis is a new line,\nand this is a new line too'])).toBe(
      ': hi\n\n' +
        `event: output\n${id(0)}data: hello,\ndata: this is a new line,\ndata: and this is a new line too\n\n` +
        `event: done\n${id(1)}data: {}\n\n`,
    )
  })

  it('C-18, C-20: empty and newline-only items keep a data line each', async () => {
    expect(await wireOf(['', 'hello\n', '\n', '\n\n'])).toBe(
      ': hi\n\n' +
        `event: output\n${id(0)}data: \n\n` +
        `event: output\n${id(1)}data: hello\ndata: \n\n` +
        `event: output\n${id(2)}data: \ndata: \n\n` +
        `event: output\n${id(3)}data: \ndata: \ndata: \n\n` +
        `event: done\n${id(4)}data: {}\n\n`,
    )
  })

  it('C-21, C-34, C-23: colons, a lone CR and multi-byte UTF-8 are written as they are', async () => {
    const server = await start(fixed)
    const prediction = await createPrediction(server.apiUrl, ECHO_MODEL, {
      prompt: 'x',
      outputs: ['Note: yes: no', 'a\rb', 'café 😀'],
    })
    const { body } = await rawGet(prediction.urls.stream!, {}, (e) =>
      e.body.toString().endsWith('data: {}\n\n'),
    )
    expect(
      body.equals(
        utf8(
          ': hi\n\n' +
            `event: output\n${id(0)}data: Note: yes: no\n\n` +
            `event: output\n${id(1)}data: a\rb\n\n` +
            `event: output\n${id(2)}data: café 😀\n\n` +
            `event: done\n${id(3)}data: {}\n\n`,
        ),
      ),
    ).toBe(true)
  })

  it('C-22, C-27: done always carries data; cancel ends with {"reason": "canceled"}', async () => {
    const server = await start({
      ...fixed,
      cadence: { firstOutputDelayMs: 0, outputIntervalMs: 60_000 },
    })
    const prediction = await createPrediction(server.apiUrl, ECHO_MODEL, {
      prompt: 'Once upon a time',
    })
    await expect.poll(() => server.predictions[0]!.output).toEqual(['Once'])
    server.cancel(prediction.id)
    expect((await readStream(prediction.urls.stream!, untilDone)).text).toBe(
      ': hi\n\n' +
        `event: output\n${id(0)}data: Once\n\n` +
        `event: done\n${id(1)}data: {"reason": "canceled"}\n\n`,
    )
  })

  it('C-8, C-28: a failure is an error event then done {"reason": "error"}', async () => {
    const wire = await wireOf(['Once', ' upon'], {
      faults: { fail: { afterOutputs: 1, detail: 'Something went wrong' } },
    })
    expect(wire).toBe(
      ': hi\n\n' +
        `event: output\n${id(0)}data: Once\n\n` +
        `event: error\n${id(1)}data: {"detail": "Something went wrong"}\n\n` +
        `event: done\n${id(2)}data: {"reason": "error"}\n\n`,
    )
  })

  it('C-29: logs events only when streamLogs is on; logs always accumulate in GET', async () => {
    const plain = await start(fixed)
    const quiet = await createPrediction(plain.apiUrl, ECHO_MODEL, { prompt: 'hi' })
    expect((await readStream(quiet.urls.stream!, untilDone)).text).not.toContain('event: logs')
    expect((await getPrediction(plain.apiUrl, quiet.id)).logs).toBe(
      'Running local/echo: echo of the input\nCompleted with 1 output\n',
    )

    expect(await wireOf(['hi'], { streamLogs: true })).toBe(
      ': hi\n\n' +
        `event: logs\n${id(0)}data: Running local/echo: echo of the input\ndata: \n\n` +
        `event: output\n${id(1)}data: hi\n\n` +
        `event: logs\n${id(2)}data: Completed with 1 output\ndata: \n\n` +
        `event: done\n${id(3)}data: {}\n\n`,
    )
  })
})

describe('§2.5 replay, resumption and timeouts', () => {
  it('C-15, E-2, E-4: every connection replays from the start; Last-Event-ID resumes after it', async () => {
    const server = await start(fixed)
    const prediction = await createPrediction(server.apiUrl, ECHO_MODEL, {
      prompt: 'x',
      outputs: ['foo', 'bar'],
    })
    const full = (await readStream(prediction.urls.stream!, untilDone)).text
    expect((await readStream(prediction.urls.stream!, untilDone)).text).toBe(full)
    const resumed = await readStream(prediction.urls.stream!, untilDone, {
      'Last-Event-ID': `${SECOND}:0`,
    })
    expect(resumed.text).toBe(
      `: hi\n\nevent: output\n${id(1)}data: bar\n\nevent: done\n${id(2)}data: {}\n\n`,
    )
    const streamRequests = server.requests.filter((r) => r.host === 'stream')
    expect(streamRequests.map((r) => r.headers['last-event-id'])).toEqual([
      undefined,
      undefined,
      `${SECOND}:0`,
    ])
  })

  it('C-30, E-8: done leaves the connection open until the idle 408 frame, then it closes', async () => {
    const server = await start({ ...fixed, idleTimeoutMs: 30 })
    const prediction = await createPrediction(server.apiUrl, ECHO_MODEL, { prompt: 'hi' })
    const exchange = await rawGet(prediction.urls.stream!)
    expect(exchange.body.toString()).toBe(
      `: hi\n\nevent: output\n${id(0)}data: hi\n\nevent: done\n${id(1)}data: {}\n\n:408: 408 Request Timeout\n\n`,
    )
    expect(exchange.complete).toBe(true)
  })

  it('E-13: an aborted prediction publishes nothing; its stream only times out', async () => {
    const server = await start({
      ...fixed,
      idleTimeoutMs: 30,
      minCancelAfterMs: 0,
      cadence: { firstOutputDelayMs: 60_000, outputIntervalMs: 0 },
    })
    const response = await fetch(`${server.apiUrl}/models/${ECHO_MODEL}/predictions`, {
      method: 'POST',
      headers: { ...AUTH, 'Cancel-After': '0.01s' },
      body: JSON.stringify({ input: { prompt: 'hi' } }),
    })
    const prediction = (await response.json()) as { id: string; urls: { stream: string } }
    await expect.poll(() => server.predictions[0]!.status).toBe('aborted')
    expect((await rawGet(prediction.urls.stream)).body.toString()).toBe(
      ': hi\n\n:408: 408 Request Timeout\n\n',
    )
  })
})

describe('invariants over every recording (C-24, C-31, C-32, C-33, C-37)', () => {
  const recordings = [...TEXT_RECORDINGS, ...FILE_RECORDINGS]
  it.each(recordings.map((r, i) => [`${r.model} #${i}`, r] as const))(
    '%s: LF only, no retry:, no BOM, only known events, each with event/id/data in order',
    async (_name, recording) => {
      const server = await start({ streamLogs: true })
      const all = recordingsOfModel(recording.model)
      let prompt = ''
      for (let i = 0; fnv1a32(prompt) % all.length !== all.indexOf(recording); i++) prompt = `p${i}`
      const input = { ...recording.input, prompt }
      const prediction = await createPrediction(server.apiUrl, recording.model, input)
      const { body } = await rawGet(prediction.urls.stream!, {}, (e) =>
        /event: done\n[^\n]*\ndata: [^\n]*\n\n$/.test(e.body.toString()),
      )
      const text = body.toString()
      expect(body.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false)
      expect(text.startsWith(': hi\n\n')).toBe(true)
      const frames = text.slice(': hi\n\n'.length).split(/\n\n(?=event: )/)
      for (const frame of frames) {
        expect(frame).toMatch(/^event: (output|logs|error|done)\nid: \d+:\d+\ndata: /)
        expect(frame).not.toMatch(/^retry:/m)
      }
      expect(frames.filter((f) => f.startsWith('event: output'))).toHaveLength(
        recording.output.length,
      )
      if (!recording.output.some((item) => item.includes('\r'))) expect(text).not.toContain('\r')
    },
  )
})
