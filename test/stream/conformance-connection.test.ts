import { expect, it } from 'vitest'
import { connectionConformanceSuite } from '../../testkit/conformance-connection'

it('runs without a DOM', () => {
  expect(typeof window).toBe('undefined')
})

connectionConformanceSuite()
