import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiError, ConnectionError, ProtocolError } from '../../src/core/errors'
import {
  created,
  json,
  prediction,
  predictionHarness,
  sse,
  sseEvent,
  type Step,
} from '../../testkit/conformance-prediction'

// A hostile or broken server ends every run in a bounded number of requests, with a typed error
// or a reconcile by GET: never a hot loop, never a silent hour-long wait, never unbounded memory,
// never a warning printed (docs/design.md rule 8).

let warnings: Error[] = []
const onWarning = (warning: Error) => void warnings.push(warning)
beforeEach(() => {
  warnings = []
  process.on('warning', onWarning)
})
afterEach(() => {
  process.off('warning', onWarning)
  expect(warnings.map((warning) => `${warning.name}: ${warning.message}`)).toEqual([])
})

const succeeded = (output: string[]) => json(prediction({ status: 'succeeded', output }))

describe('hostile servers', () => {
  it('a retry: of 31,709 years ends the reconnects and reconciles by GET, without a timer overflow', async () => {
    const run = predictionHarness([
      created(),
      sse('retry: 1000000000000\n\n', sseEvent('output', '1:0', 'a')),
      succeeded(['a', 'b']),
    ])
    await run.start()
    expect(run.routes()).toEqual(['create', 'stream', 'get'])
    expect(run.snapshot()).toMatchObject({ status: 'succeeded', text: 'ab' })
    expect(run.snapshot().streamError).toBeInstanceOf(ConnectionError)
    expect(run.delays.every((ms) => ms <= 60_000)).toBe(true)
  })

  it.each([
    ['3600 seconds', '3600', 3_600_000],
    ['an HTTP date in 2100', 'Fri, 01 Jan 2100 00:00:00 GMT', undefined],
  ])(
    'a create refused with Retry-After of %s fails at once with it, one request',
    async (_name, header, ms) => {
      const refused: Step = json({ detail: 'Request was throttled.', status: 429 }, 429, {
        'Retry-After': header,
      })
      const run = predictionHarness([refused])
      await run.start()
      expect(run.routes()).toEqual(['create'])
      const { status, error, connection } = run.snapshot()
      expect({ status, connection }).toEqual({ status: 'failed', connection: 'closed' })
      expect(error).toBeInstanceOf(ApiError)
      const retryAfterMs = (error as ApiError).retryAfterMs ?? 0
      if (ms !== undefined) expect(retryAfterMs).toBe(ms)
      else expect(retryAfterMs).toBeGreaterThan(365 * 24 * 3600 * 1000)
      expect(run.delays).toEqual([])
    },
  )

  it('a 40 MB line with no newline fails the connection with a ProtocolError, read no further, and reconciles', async () => {
    const piece = 'x'.repeat(64 * 1024)
    const chunks = ['event: output\nid: 1:0\ndata: ', ...Array.from({ length: 640 }, () => piece)]
    const run = predictionHarness([created(), sse(...chunks), succeeded(['tiny'])], {
      maxEventSize: 1024 * 1024,
    })
    await run.start()
    expect(run.routes()).toEqual(['create', 'stream', 'get'])
    expect(run.snapshot()).toMatchObject({ status: 'succeeded', text: 'tiny' })
    expect(run.snapshot().streamError).toBeInstanceOf(ProtocolError)
    // The connection was given up as soon as the event outgrew the limit, not read to its end.
    expect(run.streamRequests()[0]?.bodyCancelled).toBe(true)
  })

  it('a stream of nothing but comments is given up after eventTimeoutMs and reconciled', async () => {
    const comments = Array.from({ length: 5 }, () => ': keep-alive\n\n')
    const run = predictionHarness(
      [created(), { ...sse(...comments), holdOpen: true }, succeeded(['late'])],
      { eventTimeoutMs: 20 },
    )
    await run.start()
    expect(run.routes()).toEqual(['create', 'stream', 'get'])
    expect(run.snapshot()).toMatchObject({ status: 'succeeded', text: 'late' })
    const reason = run.snapshot().streamError
    expect(reason).toBeInstanceOf(ConnectionError)
    expect(reason?.developerMessage).toMatch(/No event for 20 ms/)
  })
})
