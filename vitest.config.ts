import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { configDefaults, defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin'
import { localReplicateServer, sourcePlugin } from './.storybook/local-replicate-server.ts'
import { chromiumBrowser } from './vitest.chromium.ts'

const dirname = path.dirname(fileURLToPath(import.meta.url))

// Tests wait on conditions, never on the clock; a loaded machine (the suite must pass while other
// processes keep every core busy) only makes a condition take longer to come true, so a poll gives
// up late rather than early. Passing tests never wait this long.
const expectOptions = { poll: { timeout: 10_000 } }

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          expect: expectOptions,
          // The environment is in the file name: `*.dom.test.*` need jsdom, `*.browser.test.*`
          // need Chromium, every other `*.test.*` runs in plain Node.
          include: ['test/**/*.test.{ts,tsx}'],
          // test/examples needs the built package: `npm run test:examples` (vitest.examples.config.ts).
          exclude: [
            ...configDefaults.exclude,
            '**/*.dom.test.*',
            '**/*.browser.test.*',
            'test/examples/**',
          ],
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'jsdom',
          environment: 'jsdom',
          expect: expectOptions,
          include: ['test/**/*.dom.test.{ts,tsx}'],
          setupFiles: ['testkit/dom-setup.ts'],
        },
      },
      {
        // The real local server is mounted into Vitest's own Vite server, so browser tests
        // reach it same-origin over loopback, exactly as an app reaches its route handler.
        plugins: [
          react(),
          localReplicateServer({ cadence: 'fast' }),
          sourcePlugin(
            new URL('./testkit/owned-route-plugin.ts', import.meta.url),
            'ownedPredictionRoute',
          ),
          sourcePlugin(
            new URL('./testkit/sse-fixture-route.ts', import.meta.url),
            'sseFixtureRoute',
          ),
        ],
        test: {
          name: 'browser',
          expect: expectOptions,
          include: ['test/**/*.browser.test.{ts,tsx}'],
          browser: chromiumBrowser(),
        },
      },
      {
        plugins: [storybookTest({ configDir: path.join(dirname, '.storybook') })],
        test: { name: 'storybook', browser: chromiumBrowser() },
      },
    ],
  },
})
