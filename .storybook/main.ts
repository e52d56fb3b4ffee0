import type { StorybookConfig } from '@storybook/react-vite'
import { localReplicateServer } from './local-replicate-server.ts'

const config: StorybookConfig = {
  // Docs pages first (the guides of docs/ and the seed article), then the stories.
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y', '@storybook/addon-vitest'],
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  // The sidebar shows the project's guides and stories, not Storybook's own onboarding.
  features: { sidebarOnboardingChecklist: false },
  async viteFinal(viteConfig) {
    // Stories run against the real local server. A person browsing `npm start` sees a realistic
    // token cadence; the stories-as-tests run (Vitest sets VITEST) replays fast.
    viteConfig.plugins = [
      ...(viteConfig.plugins ?? []),
      localReplicateServer({ cadence: process.env.VITEST ? 'fast' : 'realistic' }),
    ]
    // Not the stories' sources: the examples' installs (rewritten by `npm run test:examples`)
    // and generated output would reload the page while a person reads it.
    const ignored = viteConfig.server?.watch?.ignored
    viteConfig.server = {
      ...viteConfig.server,
      watch: {
        ...viteConfig.server?.watch,
        ignored: [
          ...(Array.isArray(ignored) ? ignored : ignored === undefined ? [] : [ignored]),
          '**/examples/**',
          '**/docs/api/**',
          '**/storybook-static/**',
          '**/bench-results/**',
        ],
      },
    }
    return viteConfig
  },
}
export default config
