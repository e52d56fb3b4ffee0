import { expect, it } from 'vitest'
import { connectionConformanceSuite } from '../../testkit/conformance-connection'

it('runs without a DOM (the path that does not use fetch-event-source)', () => {
  expect(typeof window).toBe('undefined')
})

connectionConformanceSuite()
