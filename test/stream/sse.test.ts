import { expect, it } from 'vitest'
import { openEventStreamSuite } from '../../testkit/open-event-stream-suite'

it('runs without a DOM', () => {
  expect(typeof window).toBe('undefined')
})

openEventStreamSuite()
