/**
 * Before the examples' tests: the library built (again, if any source is newer than `dist`) and
 * packed with `npm pack`, exactly what `npm publish` would upload.
 */
import { mkdir, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { CACHE, ROOT } from './install'
import { cleanEnv, run } from './processes'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the packed library. */
    libraryTarball: string
  }
}

/** Newest modification time under `dir` (files only), or 0 when it does not exist. */
async function newest(dir: string): Promise<number> {
  let entries
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true })
  } catch {
    return 0
  }
  const times = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => (await stat(path.join(entry.parentPath, entry.name))).mtimeMs),
  )
  return Math.max(0, ...times)
}

export default async function setup(project: TestProject): Promise<void> {
  const inputs = await Promise.all(
    ['src', 'package.json', 'tsup.config.ts'].map(async (name) => {
      const file = path.join(ROOT, name)
      return (await stat(file)).isDirectory() ? newest(file) : (await stat(file)).mtimeMs
    }),
  )
  const built = await newest(path.join(ROOT, 'dist'))
  // `npm test` has just built it; a run of its own builds when the source changed since.
  if (built === 0 || Math.max(...inputs) > built) {
    await run('npm', ['run', 'build'], { cwd: ROOT, env: cleanEnv() })
  }
  await mkdir(CACHE, { recursive: true })
  const packed = await run('npm', ['pack', '--json', '--pack-destination', CACHE], {
    cwd: ROOT,
    env: cleanEnv(),
  })
  const [{ filename }] = JSON.parse(packed) as [{ filename: string }]
  project.provide('libraryTarball', path.join(CACHE, filename))
}
