import { describe, expect, it } from 'vitest'
import {
  createEventIdGenerator,
  doneData,
  errorData,
  type PublishedEvent,
} from '../../src/testing/predictions/published-events'
import {
  formatEvent,
  HANDSHAKE_FRAME,
  IDLE_TIMEOUT_FRAME,
} from '../../src/testing/stream/sse-format'
import { parseEvents } from '../../testkit/local-server'

const output = (data: string, id = '1690212292:0'): PublishedEvent => ({
  event: 'output',
  id,
  data,
})

describe('formatEvent (docs/replicate-protocol.md §2.4)', () => {
  it.each([
    ['hello', 'data: hello\n\n'],
    ['a\nb', 'data: a\ndata: b\n\n'],
    ['hello\n', 'data: hello\ndata: \n\n'],
    ['\n', 'data: \ndata: \n\n'],
    ['\n\n', 'data: \ndata: \ndata: \n\n'],
    ['', 'data: \n\n'],
    [' world', 'data:  world\n\n'],
    ['a\rb', 'data: a\rb\n\n'],
  ])('frames %j exactly as nchan does', (data, dataLines) => {
    expect(formatEvent(output(data))).toBe(`event: output\nid: 1690212292:0\n${dataLines}`)
  })

  it.each(['hello', 'a\nb', 'hello\n', '\n', '\n\n', '', ' world', 'café 😀\n\n x'])(
    'round-trips %j through a WHATWG parser',
    (data) => {
      const [event] = parseEvents(formatEvent(output(data)))
      expect(event).toEqual({ event: 'output', id: '1690212292:0', data })
    },
  )

  it('reproduces the full success example', () => {
    const wire =
      HANDSHAKE_FRAME +
      formatEvent(output('Once upon a time', '1690212292:0')) +
      formatEvent(output(',', '1690212292:1')) +
      formatEvent(output(' there was\n', '1690212293:0')) +
      formatEvent({ event: 'done', id: '1690212293:1', data: doneData() })
    expect(wire).toBe(
      ': hi\n\n' +
        'event: output\nid: 1690212292:0\ndata: Once upon a time\n\n' +
        'event: output\nid: 1690212292:1\ndata: ,\n\n' +
        'event: output\nid: 1690212293:0\ndata:  there was\ndata: \n\n' +
        'event: done\nid: 1690212293:1\ndata: {}\n\n',
    )
    const text = parseEvents(wire)
      .filter((e) => e.event === 'output')
      .map((e) => e.data)
      .join('')
    expect(text).toBe('Once upon a time, there was\n')
  })

  it('reproduces the canceled example', () => {
    const wire =
      formatEvent(output('Once upon a time...', '1690212292:0')) +
      formatEvent({ event: 'done', id: '1690212292:1', data: doneData('canceled') })
    expect(wire).toBe(
      'event: output\nid: 1690212292:0\ndata: Once upon a time...\n\n' +
        'event: done\nid: 1690212292:1\ndata: {"reason": "canceled"}\n\n',
    )
  })

  it('reproduces the failed example', () => {
    const wire =
      formatEvent(output('Once upon a time...', '1690212292:0')) +
      formatEvent({ event: 'error', id: '1690212292:1', data: errorData('Something went wrong') }) +
      formatEvent({ event: 'done', id: '1690212292:2', data: doneData('error') })
    expect(wire).toBe(
      'event: output\nid: 1690212292:0\ndata: Once upon a time...\n\n' +
        'event: error\nid: 1690212292:1\ndata: {"detail": "Something went wrong"}\n\n' +
        'event: done\nid: 1690212292:2\ndata: {"reason": "error"}\n\n',
    )
  })

  it('keeps error data on one line and valid JSON whatever the detail', () => {
    const data = errorData('line 1\nline "2"')
    expect(data).toBe('{"detail": "line 1\\nline \\"2\\""}')
    expect(JSON.parse(data)).toEqual({ detail: 'line 1\nline "2"' })
  })

  it('has the handshake and idle-timeout frames of nchan', () => {
    expect(HANDSHAKE_FRAME).toBe(': hi\n\n')
    expect(IDLE_TIMEOUT_FRAME).toBe(':408: 408 Request Timeout\n\n')
    expect(parseEvents(HANDSHAKE_FRAME + IDLE_TIMEOUT_FRAME)).toEqual([])
  })
})

describe('createEventIdGenerator', () => {
  it('counts up within a second and restarts at 0 in the next', () => {
    let now = 1690212292_100
    const next = createEventIdGenerator(() => now)
    expect([next(), next()]).toEqual(['1690212292:0', '1690212292:1'])
    now = 1690212293_000
    expect([next(), next()]).toEqual(['1690212293:0', '1690212293:1'])
  })

  it('never goes backwards when the clock does', () => {
    let now = 1690212293_500
    const next = createEventIdGenerator(() => now)
    expect(next()).toBe('1690212293:0')
    now = 1690212290_000
    expect(next()).toBe('1690212293:1')
  })
})
