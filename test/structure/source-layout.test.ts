import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// The layout rules of CONTRIBUTING.md, checked on the real tree so they cannot drift.
const root = path.resolve(__dirname, '../..')
const src = path.join(root, 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return sourceFiles(full)
    return /\.tsx?$/.test(name) ? [full] : []
  })
}

/** Relative imports of one file, resolved to files of the tree (type-only imports included). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  return importedFiles
    .map((entry) => entry.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => {
      const base = path.resolve(path.dirname(file), name)
      const candidates = ['', '.ts', '.tsx', '/index.ts', '/index.tsx'].map((end) => base + end)
      const found = candidates.find((candidate) => {
        try {
          return statSync(candidate).isFile()
        } catch {
          return false
        }
      })
      if (!found) throw new Error(`${path.relative(root, file)} imports ${name}, which is missing`)
      return found
    })
}

const files = sourceFiles(src)
const graph = new Map(files.map((file) => [file, importsOf(file)]))
const layerOf = (file: string) => path.relative(src, file).split(path.sep)[0] as string

/** What each top-level folder of src may import: never a layer above it. */
const allowed: Record<string, string[]> = {
  core: ['core'],
  react: ['core', 'react'],
  server: ['core', 'server'],
  testing: ['core', 'server', 'testing'],
  vite: ['core', 'server', 'testing', 'vite'],
}

describe('the source layout', () => {
  it('has no import cycle in src', () => {
    const state = new Map<string, 'visiting' | 'done'>()
    const cycles: string[] = []
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'visiting') {
        const loop = [...trail.slice(trail.indexOf(file)), file]
        cycles.push(loop.map((entry) => path.relative(src, entry)).join(' → '))
        return
      }
      state.set(file, 'visiting')
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file])
      state.set(file, 'done')
    }
    for (const file of files) visit(file, [])
    expect(cycles).toEqual([])
  })

  it('has no upward import between layers', () => {
    const upward: string[] = []
    for (const [file, imports] of graph) {
      const layer = layerOf(file)
      const may = allowed[layer]
      if (!may) continue // top-level entry files (src/index.ts) compose the layers
      for (const target of imports) {
        if (!may.includes(layerOf(target))) {
          upward.push(`${path.relative(src, file)} → ${path.relative(src, target)}`)
        }
      }
    }
    expect(upward).toEqual([])
  })

  it('keeps src/testing sub-folders from importing the files that compose them', () => {
    const testing = path.join(src, 'testing')
    const upward: string[] = []
    for (const [file, imports] of graph) {
      if (path.dirname(file) === testing || !file.startsWith(testing + path.sep)) continue
      for (const target of imports) {
        if (path.dirname(target) === testing) {
          upward.push(`${path.relative(src, file)} → ${path.relative(src, target)}`)
        }
      }
    }
    expect(upward).toEqual([])
  })

  it('keeps every file of src/core under 250 lines', () => {
    const long = files
      .filter((file) => layerOf(file) === 'core')
      .map((file) => ({
        file: path.relative(src, file),
        lines: readFileSync(file, 'utf8').split('\n').length - 1,
      }))
      .filter(({ lines }) => lines > 250)
    expect(long).toEqual([])
  })

  it('keeps at most 8 files at the top level of src/testing', () => {
    const top = readdirSync(path.join(src, 'testing')).filter((name) =>
      statSync(path.join(src, 'testing', name)).isFile(),
    )
    expect(top.length).toBeLessThanOrEqual(8)
  })
})
