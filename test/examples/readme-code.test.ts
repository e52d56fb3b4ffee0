import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXAMPLES, ROOT } from './install'

// The examples are the README's code, so that CI building and driving them checks what readers
// copy: every file below must appear in README.md verbatim, as a whole code block.
const readme = () => readFile(path.join(ROOT, 'README.md'), 'utf8')
const example = (file: string) => readFile(path.join(EXAMPLES, file), 'utf8')

describe('the README and the examples', () => {
  it.each([
    ['ts', 'nextjs/app/api/predictions/[[...path]]/route.ts'],
    ['tsx', 'nextjs/app/haiku.tsx'],
    ['ts', 'vite/vite.config.ts'],
  ])('shows %s examples/%s verbatim', async (language, file) => {
    expect(await readme()).toContain(`\`\`\`${language}\n${await example(file)}\`\`\``)
  })

  it('uses one component in both examples', async () => {
    expect(await example('vite/src/haiku.tsx')).toBe(await example('nextjs/app/haiku.tsx'))
  })
})
