/**
 * The retained events of a prediction (`src/testing/predictions/event-log.ts`): the same ids as
 * the string generator, found by the exact id a client sends back as `Last-Event-ID`
 * (`docs/replicate-protocol.md` §2.5), replayed in order.
 */
import { describe, expect, it } from 'vitest'
import { EventLog } from '../../src/testing/predictions/event-log'
import { createEventIdGenerator } from '../../src/testing/predictions/published-events'

/** A clock that moves 400 ms per call: ids cross second boundaries every few events. */
function steppingClock(startMs: number) {
  let now = startMs
  return () => (now += 400)
}

describe('EventLog', () => {
  it('gives the ids of createEventIdGenerator and replays every event in order', () => {
    const log = new EventLog(steppingClock(1_690_212_292_000))
    const ids = createEventIdGenerator(steppingClock(1_690_212_292_000))
    const appended = Array.from({ length: 12 }, (_, index) => log.append('output', ` t${index}`))
    appended.push(log.append('done', '{}'))
    expect(appended.map((event) => event.id)).toEqual(appended.map(() => ids()))
    expect(log.length).toBe(13)
    expect(log.from(0)).toEqual(appended)
    expect(log.from(10)).toEqual(appended.slice(10))
    expect(log.from(13)).toEqual([])
  })

  it('finds each event by its exact id, and nothing else', () => {
    const log = new EventLog(steppingClock(1_690_212_292_000))
    const appended = Array.from({ length: 20 }, (_, index) => log.append('output', `${index}`))
    appended.forEach((event, index) => expect(log.indexOf(event.id)).toBe(index))
    const [second, tag] = appended[5]!.id.split(':')
    for (const unknown of [
      `0${second}:${tag}`,
      `${second}:0${tag}`,
      `${second}:${tag} `,
      `${second}`,
      `:${tag}`,
      `${Number(second) + 100}:0`,
      '0:0',
      'abc',
      '',
    ]) {
      expect(log.indexOf(unknown)).toBe(-1)
    }
  })
})
