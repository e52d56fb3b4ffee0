import '@testing-library/jest-dom/vitest'
import { cleanup, configure } from '@testing-library/react'
import { afterEach } from 'vitest'

// `waitFor` waits on a condition; on a loaded machine it may take longer than Testing Library's
// default of one second to come true, and giving up then would fail a correct test.
configure({ asyncUtilTimeout: 10_000 })

afterEach(() => cleanup())
