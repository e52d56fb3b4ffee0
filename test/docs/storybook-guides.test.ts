/**
 * Every guide of the repository (the README, CONTRIBUTING and each Markdown file of `docs/`) is
 * published in Storybook: a docs page in `stories/docs/` renders it, and `GUIDE_PAGES` in
 * `stories/docs/guide.tsx` knows that page, so links between guides open each other there.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const PAGES_DIR = 'stories/docs'

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')

/** Storybook's id of a docs page titled `title` (its `sanitize`, then `--docs`). */
const pageId = (title: string) =>
  `${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')}--docs`

/** Guide path → the id of the page that renders it, from the pages themselves. */
function publishedGuides(): Map<string, string> {
  const guides = new Map<string, string>()
  for (const name of readdirSync(path.join(ROOT, PAGES_DIR))) {
    if (!name.endsWith('.mdx')) continue
    const text = read(`${PAGES_DIR}/${name}`)
    const imported = /from '([^']+\.md)\?raw'/.exec(text)?.[1]
    const title = /<Meta title="([^"]+)"/.exec(text)?.[1]
    if (!imported || !title) continue
    const guide = path.posix.normalize(path.posix.join(PAGES_DIR, imported))
    guides.set(guide, pageId(title))
  }
  return guides
}

describe('the guides in Storybook', () => {
  const guides = publishedGuides()
  const expected = [
    'README.md',
    'CONTRIBUTING.md',
    ...readdirSync(path.join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ].sort()

  it('has a docs page for every guide', () => {
    expect([...guides.keys()].sort()).toEqual(expected)
  })

  it('links guides to the pages that render them', () => {
    const table = read(`${PAGES_DIR}/guide.tsx`)
    for (const [guide, id] of guides) {
      expect(table, guide).toContain(`'${guide}': '${id}'`)
    }
  })
})
