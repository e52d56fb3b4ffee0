import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin'
import { localReplicateServer } from './.storybook/local-replicate-server'
import { chromiumBrowser } from './vitest.chromium'

const dirname = path.dirname(fileURLToPath(import.meta.url))

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/{core,server,testing}/**/*.test.ts'],
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'jsdom',
          environment: 'jsdom',
          include: ['test/react/**/*.test.{ts,tsx}'],
          setupFiles: ['test/react/setup.ts'],
        },
      },
      {
        // The real local server is mounted into Vitest's own Vite server, so browser tests
        // reach it same-origin over loopback, exactly as an app reaches its route handler.
        plugins: [react(), localReplicateServer({ cadence: 'fast' })],
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.{ts,tsx}'],
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
