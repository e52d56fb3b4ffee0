import { expect, it } from 'vitest'
import { openEventStreamSuite } from '../../testkit/open-event-stream-suite'

it('runs with a DOM (the path through fetch-event-source)', () => {
  expect(typeof window).toBe('object')
  expect(typeof document).toBe('object')
})

openEventStreamSuite()
