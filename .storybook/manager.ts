import { addons } from 'storybook/manager-api'

// One tree in the order of `storySort` (.storybook/preview.ts): the guides, then the stories.
// With roots shown, Storybook lifts the top-level stories above the Guides section.
addons.setConfig({ sidebar: { showRoots: false } })
