import type { Preview } from '@storybook/react-vite'
import './theme.css'

const preview: Preview = {
  parameters: {
    controls: { matchers: { color: /(background|color)$/i, date: /Date$/i } },
    // axe violations fail the stories-as-tests run.
    a11y: { test: 'error' },
    // What a person needs first: the guides (the README first), then the interactive stories.
    options: {
      storySort: {
        order: [
          'Guides',
          [
            'Introduction',
            'Follow the seed article',
            'Chat UI',
            'Chat in Next.js',
            'Design',
            'Security',
            'API reference',
          ],
          'Playground',
          'Live streams',
          'Chat',
          'StreamingText',
        ],
      },
    },
  },
}
export default preview
