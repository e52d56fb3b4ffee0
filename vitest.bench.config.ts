import { defineConfig } from 'vitest/config'

// `npm run bench`: separate from `npm test`, because it measures instead of asserting, and takes
// about ten minutes. It runs in Node and drives everything from there: a Vite production build
// of the pages, Debian's Chromium through Playwright (docs/toolchain.md §4), the pacer, the local
// server and esbuild. One file, its steps in order, so one run's numbers sit side by side.
export default defineConfig({
  test: {
    name: 'bench',
    environment: 'node',
    include: ['bench/**/*.bench.ts'],
    fileParallelism: false,
    testTimeout: 20 * 60_000,
    hookTimeout: 60_000,
  },
})
