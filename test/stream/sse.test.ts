import { expect, it } from 'vitest'
import { openEventStreamSuite } from '../../testkit/open-event-stream-suite'

it('runs without a DOM (the path that does not use fetch-event-source)', () => {
  expect(typeof window).toBe('undefined')
})

openEventStreamSuite()
