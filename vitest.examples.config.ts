import { defineConfig } from 'vitest/config'

// The examples' tests (test/examples): the packed library installed into examples/nextjs and
// examples/vite, built, started and driven in Chromium. Apart from `vitest run`'s projects
// because they need the built package (`npm test` runs them after `npm run build`) and take
// minutes, most of it in `npm install` (cached in examples/.cache) and `next build`.
export default defineConfig({
  test: {
    name: 'examples',
    environment: 'node',
    include: ['test/examples/**/*.test.ts'],
    globalSetup: ['test/examples/global-setup.ts'],
    // One example at a time: two builds at once on two cores only slow each other down.
    fileParallelism: false,
    // Installing and building, cold: a few minutes; each check in a browser: seconds.
    hookTimeout: 900_000,
    testTimeout: 120_000,
    expect: { poll: { timeout: 30_000 } },
  },
})
