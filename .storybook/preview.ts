import type { Preview } from '@storybook/react-vite'

const preview: Preview = {
  parameters: {
    controls: { matchers: { color: /(background|color)$/i, date: /Date$/i } },
    // axe violations fail the stories-as-tests run.
    a11y: { test: 'error' },
  },
}
export default preview
