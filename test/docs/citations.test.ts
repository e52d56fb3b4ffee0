/**
 * Every citation in the repository resolves inside the repository: the published package (which
 * ships `docs/` beside `dist/`) and a fresh clone must both be able to follow it.
 *
 * A citation is a relative path to a Markdown file (`docs/design.md`, `../README.md`), a section
 * of one (`docs/replicate-protocol.md §2.4`, `§4 item 7`, `§1.1–1.3`), a rule of the design
 * (`docs/design.md rule 5`), or an id (`docs/replicate-protocol.md C-7`, `docs/sse-transport.md
 * B14`). A `§` with no document before it in the same phrase belongs to the last document the
 * file cited (in a document with numbered sections, to the document itself), so a file that
 * names its document once may go on with bare `§2.4`s; after `WHATWG`, `HTML` or `RFC nnnn` it
 * is someone else's section and is not checked. Replicate's case ids (`C-7`, `E-4`) are unique
 * and are checked wherever they appear.
 *
 * This file itself is not scanned: its checker tests hold bad citations on purpose.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const THIS_FILE = path
  .relative(ROOT, fileURLToPath(import.meta.url))
  .split(path.sep)
  .join('/')

/** Where citations live. Fixtures and JSON are data, not prose. */
const SCANNED_FOLDERS = ['src', 'docs', 'stories', 'testkit', 'test', 'bench', '.storybook']
const SCANNED_ROOT_FILES = /^(README|CHANGELOG|CONTRIBUTING)\.md$|\.(ts|js|mjs|cjs)$/
const SCANNED_EXTENSIONS = /\.(ts|tsx|js|jsx|mjs|cjs|md|mdx)$/
const SKIPPED_FOLDERS = new Set(['node_modules', 'fixtures', 'dist'])

interface SourceFile {
  /** Repository-relative, with `/`. */
  path: string
  text: string
}

/** One numbered document: its headings, the numbered items under each, and its text. */
interface Doc {
  path: string
  text: string
  /** Section number (`2.4`) → the numbered list items found directly under that heading. */
  sections: Map<string, Set<string>>
  /** The numbered items under the heading whose title starts with "Rules" (design.md). */
  rules: Set<string>
}

interface Problem {
  file: string
  message: string
}

function listFiles(): SourceFile[] {
  const files: string[] = []
  // Generated folders (gitignored, such as the API reference in docs/api) copy the comments of
  // `src`, which are checked where they are written.
  const generated = ignoredRoots()
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(ROOT, dir))) {
      const relative = dir ? `${dir}/${name}` : name
      if (statSync(path.join(ROOT, relative)).isDirectory()) {
        if (!SKIPPED_FOLDERS.has(name) && !generated.has(relative)) walk(relative)
      } else if (SCANNED_EXTENSIONS.test(name)) {
        files.push(relative)
      }
    }
  }
  for (const folder of SCANNED_FOLDERS) if (existsSync(path.join(ROOT, folder))) walk(folder)
  for (const name of readdirSync(ROOT)) {
    if (SCANNED_ROOT_FILES.test(name) && statSync(path.join(ROOT, name)).isFile()) files.push(name)
  }
  return files
    .filter((file) => file !== THIS_FILE)
    .map((file) => ({ path: file, text: readFileSync(path.join(ROOT, file), 'utf8') }))
}

/** Parses a Markdown document's numbered headings (`## 2. Streaming`, `### 2.4 Framing`). */
function parseDoc(docPath: string, text: string): Doc {
  const sections = new Map<string, Set<string>>()
  const rules = new Set<string>()
  let items: Set<string> | undefined
  let inRules = false
  let inFence = false
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence
    if (inFence) continue
    const heading = /^#{1,6}\s+(.*)$/.exec(line)
    if (heading) {
      const title = heading[1] ?? ''
      const number = /^§?(\d+(?:\.\d+)*)\.?(?:\s|$)/.exec(title)?.[1]
      items = number ? new Set() : undefined
      if (number) sections.set(number, items as Set<string>)
      inRules = /^rules\b/i.test(title)
      continue
    }
    const item = /^(\d+)\.\s/.exec(line)?.[1]
    if (item === undefined) continue
    items?.add(item)
    if (inRules) rules.add(item)
  }
  return { path: docPath, text, sections, rules }
}

/** The git-ignored top-level names: a path inside them is generated output, not a citation. */
function ignoredRoots(): Set<string> {
  const gitignore = readFileSync(path.join(ROOT, '.gitignore'), 'utf8')
  return new Set(
    gitignore
      .split('\n')
      .map((line) => line.trim().replace(/^\/|\/$/g, ''))
      .filter((line) => line && !/[*!#]/.test(line)),
  )
}

/**
 * Joins a file into one line, dropping the `*` and `//` that start comment lines, so that a
 * citation broken across comment lines reads as it would in prose. URLs are blanked: their
 * `.md` and `§` belong to other sites.
 */
function flatten(text: string): string {
  return text
    .replace(/\r?\n[ \t]*(?:\*(?!\/)|\/\/)?[ \t]*/g, ' ')
    .replace(/https?:\/\/[^\s)>\]'"`]+/g, (url) => ' '.repeat(url.length))
}

const TOKEN = new RegExp(
  [
    // A relative path to a Markdown file.
    String.raw`(?<path>(?<![\w/.@-])(?:\.{1,2}/)*(?:[\w.-]+/)*[\w-][\w.-]*\.md)(?![\w/-])`,
    // Someone else's numbered sections follow.
    String.raw`(?<external>\b(?:WHATWG(?:\s+HTML)?|HTML|RFC\s*\d+)\b)`,
    // A section, a range of sections, and items of it.
    String.raw`§\s*(?<section>\d+(?:\.\d+)*)(?:\s*[–-]\s*(?<sectionEnd>\d+(?:\.\d+)*))?(?:,?\s+items?\s+(?<item>\d+)(?:\s*[–-]\s*(?<itemEnd>\d+))?)?`,
    // Rules of the design: "rule 5", "rules 4 and 5", "rules 4–5".
    String.raw`\brules?\s+(?<rules>\d+(?:\s*(?:,|and|or|–|-)\s*\d+)*)\b`,
    // An id: C-7, E-4, C-10a, B14, F7, and ranges such as A1–A4.
    String.raw`\b(?<id>[A-Z]-?\d+[a-z]?)(?:\s*[–-]\s*(?<idEnd>[A-Z]-?\d+[a-z]?))?\b`,
  ].join('|'),
  'g',
)

/** What may sit between two parts of one citation: `§2.1, §2.4`, `§5 C-9`, `C16/C17`. */
const JOINER = /^[\s,;:/()`'"&]*(?:\b(?:and|or)\b[\s,;:/()`'"&]*)*$/

/** Replicate's conformance case ids, which are unique across the repository. */
const CASE_ID = /^[CE]-\d+[a-z]?$/

function hasWord(text: string, word: string): boolean {
  return new RegExp(`(?<![\\w-])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`).test(
    text,
  )
}

function range(start: string, end: string | undefined): string[] {
  if (end === undefined) return [start]
  const out: string[] = []
  for (let n = Number(start); n <= Number(end); n++) out.push(String(n))
  return out
}

/** Checks one file's citations against the documents; returns what does not resolve. */
function checkFile(
  file: SourceFile,
  docs: ReadonlyMap<string, Doc>,
  exists: (repoPath: string) => boolean,
  ignored: ReadonlySet<string> = new Set(),
): Problem[] {
  const problems: Problem[] = []
  const report = (message: string) => problems.push({ file: file.path, message })
  const protocol = docs.get('docs/replicate-protocol.md')
  const text = flatten(file.text)

  if (/\.\.\/shared\b|\bshared\/docs\b/.test(text)) {
    report('mentions the reference folder outside the repository (../shared, shared/docs)')
  }

  /**
   * The document a bare `§` belongs to: the last one cited, or, in a document with numbered
   * sections of its own, always the document itself.
   */
  const self = docs.get(file.path)
  const sectionsOfItsOwn = self !== undefined && self.sections.size > 0
  let current: Doc | null = sectionsOfItsOwn ? self : null
  /** The owner of the citation being read, and where it ended. */
  let owner: Doc | 'external' | null = null
  let lastEnd = -1
  let lastResolvedPath: string | null = null

  for (const match of text.matchAll(TOKEN)) {
    const groups = match.groups ?? {}
    const start = match.index ?? 0
    const chained = lastEnd >= 0 && JOINER.test(text.slice(lastEnd, start))
    const phraseOwner: Doc | 'external' | null = chained ? owner : current
    const quoted = match[0]

    if (groups.path !== undefined) {
      const cited = groups.path
      const firstSegment = cited.replace(/^(\.{1,2}\/)+/, '').split('/')[0] ?? ''
      const fromRoot = path.posix.normalize(cited)
      const fromFile = path.posix.normalize(path.posix.join(path.posix.dirname(file.path), cited))
      // Generated output: a git-ignored top-level name, or a link into an ignored folder
      // (docs/api.md → api/…, the generated reference).
      const generated = [...ignored].some((root) => fromFile.startsWith(`${root}/`))
      if (ignored.has(firstSegment) || generated) {
        lastEnd = -1
        continue
      }
      const resolved = [fromFile, fromRoot].find(
        (candidate) => !candidate.startsWith('..') && exists(candidate),
      )
      if (!resolved) {
        report(`${cited} is not a file in the repository`)
        owner = null
      } else {
        lastResolvedPath = resolved
        owner = docs.get(resolved) ?? null
        if (!sectionsOfItsOwn) current = owner
      }
      lastEnd = start + quoted.length
      continue
    }
    if (groups.external !== undefined) {
      owner = 'external'
      lastEnd = start + quoted.length
      continue
    }
    if (groups.section !== undefined) {
      owner = phraseOwner
      lastEnd = start + quoted.length
      if (owner === 'external') continue
      if (owner === null) {
        report(
          `"${quoted}" names no document: write it as docs/<file>.md ${quoted}` +
            (lastResolvedPath
              ? ` (the last file cited, ${lastResolvedPath}, has no sections)`
              : ''),
        )
        continue
      }
      const doc = owner
      for (const section of [groups.section, groups.sectionEnd]) {
        if (section !== undefined && !doc.sections.has(section)) {
          report(`${doc.path} has no section §${section} ("${quoted}")`)
        }
      }
      const items = doc.sections.get(groups.section)
      if (groups.item !== undefined && items) {
        for (const item of range(groups.item, groups.itemEnd)) {
          if (!items.has(item)) report(`${doc.path} §${groups.section} has no item ${item}`)
        }
      }
      continue
    }
    if (groups.rules !== undefined) {
      owner = phraseOwner
      lastEnd = start + quoted.length
      if (owner === 'external') continue
      const numbers = groups.rules.split(/\s*(?:,|and|or)\s*/).flatMap((part) => {
        const [from, to] = part.split(/\s*[–-]\s*/)
        return range(from ?? '', to)
      })
      if (owner === null || owner.rules.size === 0) {
        report(`"${quoted}" names no document with rules: write docs/design.md ${quoted}`)
        continue
      }
      for (const rule of numbers) {
        if (!owner.rules.has(rule)) report(`${owner.path} has no rule ${rule}`)
      }
      continue
    }
    if (groups.id !== undefined) {
      const ids = [groups.id, groups.idEnd].filter((id): id is string => id !== undefined)
      for (const id of ids) {
        if (CASE_ID.test(id) && protocol && !hasWord(protocol.text, id)) {
          report(`${id} is not a case of docs/replicate-protocol.md`)
        }
      }
      // Other ids are only citations when they continue one (`docs/sse-transport.md §2, A1–A4`).
      if (!chained) {
        lastEnd = -1
        continue
      }
      lastEnd = start + quoted.length
      if (owner === null || owner === 'external') continue
      for (const id of ids) {
        // Case ids were checked above, wherever they appear.
        if (owner === protocol && CASE_ID.test(id)) continue
        if (!hasWord(owner.text, id)) report(`${owner.path} has no ${id} ("${quoted}")`)
      }
    }
  }
  return problems
}

function loadDocs(): Map<string, Doc> {
  const docs = new Map<string, Doc>()
  for (const name of readdirSync(path.join(ROOT, 'docs'))) {
    if (!name.endsWith('.md')) continue
    const docPath = `docs/${name}`
    docs.set(docPath, parseDoc(docPath, readFileSync(path.join(ROOT, docPath), 'utf8')))
  }
  return docs
}

const repoFileExists = (repoPath: string): boolean => {
  const absolute = path.join(ROOT, repoPath)
  return existsSync(absolute) && statSync(absolute).isFile()
}

describe('citations', () => {
  const docs = loadDocs()

  it('the documents that code cites exist, with their numbered sections and rules', () => {
    expect([...docs.keys()].sort()).toEqual(
      expect.arrayContaining([
        'docs/README.md',
        'docs/design.md',
        'docs/replicate-protocol.md',
        'docs/sse-transport.md',
      ]),
    )
    expect([...(docs.get('docs/design.md')?.rules ?? [])]).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
    ])
    const protocol = docs.get('docs/replicate-protocol.md')
    for (let n = 1; n <= 39; n++) expect(protocol?.text).toContain(`**C-${n}`)
    for (let n = 1; n <= 13; n++) expect(protocol?.text).toContain(`**E-${n}**`)
  })

  it('every citation in src, docs, tests, stories, README and CHANGELOG resolves', () => {
    const files = listFiles()
    // The scan must actually see the places that cite (a wrong root would pass vacuously).
    expect(files.some((file) => file.path.startsWith('src/'))).toBe(true)
    expect(files.some((file) => file.path === 'README.md')).toBe(true)
    const ignored = ignoredRoots()
    const problems = files.flatMap((file) => checkFile(file, docs, repoFileExists, ignored))
    expect(problems.map((problem) => `${problem.file}: ${problem.message}`)).toEqual([])
  })
})

describe('the citation checker', () => {
  const docs = loadDocs()
  const ignored = ignoredRoots()
  const check = (text: string, file = 'src/example.ts') =>
    checkFile({ path: file, text }, docs, repoFileExists, ignored).map((problem) => problem.message)

  it('accepts the forms the code uses', () => {
    expect(
      check(
        [
          '/**',
          ' * Framed as nchan does (`docs/replicate-protocol.md`',
          ' * §2.1–2.5, §4 items 2–5; C-7, E-4) and then §2.4 again.',
          ' * Retried per docs/design.md rules 4 and 5; WHATWG HTML §9.2.3, RFC 9110 §10.2.3.',
          ' * fes breaks without a DOM (docs/sse-transport.md §2, A1–A4; B14); §8.2 C16/C17.',
          ' * Generated: bench-results/results.md; see ../../README.md and docs/toolchain.md F7.',
          ' */',
        ].join('\n'),
        'src/testing/example.ts',
      ),
    ).toEqual([])
  })

  it('fails on a Markdown path that is not in the repository', () => {
    expect(check('// see design.md rule 5')).toEqual([
      'design.md is not a file in the repository',
      '"rule 5" names no document with rules: write docs/design.md rule 5',
    ])
    expect(check('// docs/nowhere.md §1')).toContain(
      'docs/nowhere.md is not a file in the repository',
    )
  })

  it('fails on a section, an item or a range end that the document does not have', () => {
    expect(check('// docs/replicate-protocol.md §2.9')).toEqual([
      'docs/replicate-protocol.md has no section §2.9 ("§2.9")',
    ])
    expect(check('// docs/replicate-protocol.md §4 item 8')).toEqual([
      'docs/replicate-protocol.md §4 has no item 8',
    ])
    expect(check('// docs/sse-transport.md §2.1–2.7')).toEqual([
      'docs/sse-transport.md has no section §2.7 ("§2.1–2.7")',
    ])
  })

  it('fails on a bare § when the file cited no document before it', () => {
    expect(check('// the framing of §2.4')).toEqual([
      '"§2.4" names no document: write it as docs/<file>.md §2.4',
    ])
  })

  it('fails on a rule the design does not have', () => {
    expect(check('// docs/design.md rule 9')).toEqual(['docs/design.md has no rule 9'])
  })

  it('fails on a case id that docs/replicate-protocol.md does not list', () => {
    expect(check('// as in C-40 and E-14')).toEqual([
      'C-40 is not a case of docs/replicate-protocol.md',
      'E-14 is not a case of docs/replicate-protocol.md',
    ])
    expect(check('// docs/sse-transport.md B15')).toEqual([
      'docs/sse-transport.md has no B15 ("B15")',
    ])
  })

  it('fails on a mention of the reference folder outside the repository', () => {
    const folder = ['..', 'shared', 'docs'].join('/')
    expect(check(`// ${folder}/design.md rule 1`)).toContain(
      'mentions the reference folder outside the repository (../shared, shared/docs)',
    )
  })
})
