/**
 * `true` while the stories run as tests (Vitest's `test` mode, `npm test`), `false` for a person
 * browsing them (`npm start`). A story that should wait for a person, like the Playground, acts in
 * its play function only when this is `true`.
 */
export const storiesRunAsTests =
  (import.meta as ImportMeta & { env?: { MODE?: string } }).env?.MODE === 'test'
