import type { StorybookConfig } from '@storybook/react-vite'
import { localReplicateServer } from './local-replicate-server'

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y', '@storybook/addon-vitest'],
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  async viteFinal(viteConfig) {
    // Stories run against the real local server. A person browsing `npm start` sees a realistic
    // token cadence; the stories-as-tests run (Vitest sets VITEST) replays fast.
    viteConfig.plugins = [
      ...(viteConfig.plugins ?? []),
      localReplicateServer({ cadence: process.env.VITEST ? 'fast' : 'realistic' }),
    ]
    return viteConfig
  },
}
export default config
