import { describe, expect, it } from 'vitest'
import { ApiError, PredictionFailedError } from '../../src/core/errors'
import type { Prediction } from '../../src/core/prediction'
import { initialSnapshot, reduce, type Action, type StreamEvent } from '../../src/core/state'
import type { PredictionStreamSnapshot } from '../../src/core/types'

const prediction = (patch: Partial<Prediction> = {}): Prediction => ({
  id: 'p1',
  model: 'meta/meta-llama-3-8b-instruct',
  version: 'hidden',
  input: {},
  output: null,
  logs: '',
  error: null,
  status: 'starting',
  created_at: '2026-11-22T00:00:00.000Z',
  data_removed: false,
  urls: { get: 'g', cancel: 'c', stream: 's' },
  ...patch,
})

const event = (type: string | undefined, data: string, id?: string): Action => ({
  type: 'event-received',
  event: { event: type, data, id } satisfies StreamEvent,
  at: 0,
})

function run(...actions: Action[]): PredictionStreamSnapshot {
  return actions.reduce(reduce, reduce(initialSnapshot, { type: 'start-requested', at: 0 }))
}

describe('reduce', () => {
  it('appends output deltas verbatim, including empty and newline-only tokens (C-18, C-19, C-20)', () => {
    const state = run(
      event('output', '', '1:0'),
      event('output', ' world', '1:1'),
      event('output', 'no-space', '1:2'),
      event('output', '\n', '1:3'),
      event('output', '\n\n', '1:4'),
    )
    expect(state.text).toBe(' worldno-space\n\n\n')
    expect(state.output).toEqual(['', ' world', 'no-space', '\n', '\n\n'])
    expect(state.status).toBe('processing')
    expect(state.lastEventId).toBe('1:4')
  })

  it('keeps logs out of text (C-29)', () => {
    const state = run(event('logs', 'Loading weights', '1:0'), event('output', 'hi', '1:1'))
    expect(state.text).toBe('hi')
    expect(state.logs).toBe('Loading weights')
  })

  it('maps done data to the terminal status and never appends it (C-1, C-27)', () => {
    expect(run(event('output', 'x'), event('done', '{}')).status).toBe('succeeded')
    expect(run(event('output', 'Once'), event('done', '{"reason": "canceled"}'))).toMatchObject({
      status: 'canceled',
      text: 'Once',
    })
    // A data-less or malformed done still ends the stream (C-22).
    expect(run(event('done', '')).status).toBe('succeeded')
    expect(run(event('output', 'x'), event('done', '{}')).text).toBe('x')
  })

  it('fails on an error event with the server detail, keeping partial text (C-28, C-8)', () => {
    const state = run(
      event('output', 'Once'),
      event('error', '{"detail": "Something went wrong"}'),
      event('done', '{"reason": "error"}'),
    )
    expect(state.status).toBe('failed')
    expect(state.text).toBe('Once')
    expect(state.error).toBeInstanceOf(PredictionFailedError)
    expect((state.error as PredictionFailedError).detail).toBe('Something went wrong')
    const raw = run(event('error', 'An unexpected error occurred'))
    expect((raw.error as PredictionFailedError).detail).toBe('An unexpected error occurred')
  })

  it('ignores events after a terminal status and unknown event types (C-32, C-33)', () => {
    const state = run(
      event('ping', ''),
      event(undefined, 'x'),
      event('output', 'a'),
      event('done', '{}'),
      event('output', 'late'),
    )
    expect(state.text).toBe('a')
    expect(state.status).toBe('succeeded')
  })

  it('commits the last event ID at dispatch, keeping it across events without an id (C-35)', () => {
    const state = run(event('output', 'x', '7:0'), event('output', 'y'))
    expect(state.lastEventId).toBe('7:0')
  })

  it('returns the same snapshot when nothing changes', () => {
    const state = run({ type: 'connection-changed', connection: 'open' })
    expect(reduce(state, { type: 'connection-changed', connection: 'open' })).toBe(state)
  })

  it('adopts a terminal prediction’s output only when it holds everything received', () => {
    const streamed = run(event('output', 'a'), event('output', 'b'))
    const full = reduce(streamed, {
      type: 'prediction-received',
      prediction: prediction({ status: 'succeeded', output: ['a', 'b', 'c'] }),
      at: 0,
    })
    expect(full).toMatchObject({ status: 'succeeded', text: 'abc', output: ['a', 'b', 'c'] })
    const removed = reduce(streamed, {
      type: 'prediction-received',
      prediction: prediction({ status: 'succeeded', output: null, data_removed: true }),
      at: 0,
    })
    expect(removed).toMatchObject({ status: 'succeeded', text: 'ab' })
  })

  it('never steps back from a terminal status when a slower response arrives', () => {
    const done = run(event('output', 'a'), event('done', '{}'))
    const late = reduce(done, {
      type: 'prediction-received',
      prediction: prediction({ status: 'processing' }),
      at: 0,
    })
    expect(late.status).toBe('succeeded')
  })

  it('records a failed create as failed with its ApiError', () => {
    const error = new ApiError({ status: 422, url: '/api/predictions', body: { detail: 'bad' } })
    const state = run({ type: 'error-raised', error, status: 'failed', at: 0 })
    expect(state).toMatchObject({ status: 'failed', error, prediction: null })
  })

  it('turns a failed prediction read by GET into a PredictionFailedError', () => {
    const state = run({
      type: 'prediction-received',
      prediction: prediction({ status: 'failed', error: 'E1001 out of memory', output: ['x'] }),
      at: 0,
    })
    expect((state.error as PredictionFailedError).detail).toBe('E1001 out of memory')
    expect(state.text).toBe('x')
  })
})
