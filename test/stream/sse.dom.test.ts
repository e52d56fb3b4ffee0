import { expect, it } from 'vitest'
import { openEventStreamSuite } from '../../testkit/open-event-stream-suite'

it('runs with a DOM', () => {
  expect(typeof window).toBe('object')
  expect(typeof document).toBe('object')
})

openEventStreamSuite()
