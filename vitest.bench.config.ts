import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'
import { chromiumBrowser } from './vitest.chromium'

// `npm run bench`: separate from `npm test`, because it measures instead of asserting, and takes
// about a minute. Runs in Debian's Chromium like the browser tests (docs/toolchain.md §4).
export default defineConfig({
  plugins: [react()],
  test: {
    include: ['bench/**/*.bench.test.tsx'],
    fileParallelism: false,
    browser: chromiumBrowser(),
  },
})
