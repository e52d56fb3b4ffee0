/**
 * Installs an example the way a user would, from the packed library: a copy of `examples/<name>`
 * (its files, not its `node_modules`, build output or `.env*` files) in `examples/.cache/<as>`,
 * its `react-prediction-stream` dependency pointed at the tarball, then `npm install` from the
 * npm registry. The copy's `node_modules` stays between runs, so a warm run only updates what
 * changed (the tarball, usually).
 */
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { cleanEnv, run } from './processes'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const EXAMPLES = path.join(ROOT, 'examples')
export const CACHE = path.join(EXAMPLES, '.cache')

/** Never copied: installs, build output, and env files that could carry a token into a build. */
const SKIPPED = new Set(['node_modules', '.next', 'dist', 'next-env.d.ts'])
const skipped = (name: string) => SKIPPED.has(name) || name.startsWith('.env')

/** An installed copy of an example. */
export interface InstalledExample {
  /** Its directory. */
  dir: string
  /** Runs one of its bins (`next`, `vite`, `react-prediction-stream`) on this Node. */
  bin(name: string): string
}

/**
 * Copies `examples/<name>` to `examples/.cache/<as>` and installs it with the library from
 * `tarball`; `dependencies` overrides versions (React 18 for a second install of an example).
 */
export async function installExample(
  name: string,
  tarball: string,
  options: { as?: string; dependencies?: Record<string, string> } = {},
): Promise<InstalledExample> {
  const source = path.join(EXAMPLES, name)
  const dir = path.join(CACHE, options.as ?? name)
  await mkdir(dir, { recursive: true })
  // Files of an earlier copy that are gone from the example must not linger.
  for (const entry of await readdir(dir)) {
    if (entry !== 'node_modules') await rm(path.join(dir, entry), { recursive: true, force: true })
  }
  for (const entry of await readdir(source)) {
    if (skipped(entry)) continue
    await cp(path.join(source, entry), path.join(dir, entry), {
      recursive: true,
      filter: (file) => !skipped(path.basename(file)),
    })
  }
  const manifestFile = path.join(dir, 'package.json')
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as {
    dependencies: Record<string, string>
  }
  manifest.dependencies = {
    ...manifest.dependencies,
    ...options.dependencies,
    'react-prediction-stream': `file:${tarball}`,
  }
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`)
  // npm keeps an installed `file:` tarball when the tarball changes: take it out, so every run
  // installs the library just packed. No lockfile: the example pins its direct dependencies,
  // and a lockfile would pin the tarball's checksum, which changes with every build.
  await rm(path.join(dir, 'node_modules/react-prediction-stream'), { recursive: true, force: true })
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline'],
    { cwd: dir, env: cleanEnv() },
  )
  return {
    dir,
    bin: (bin) => {
      const scripts: Record<string, string> = {
        next: 'node_modules/next/dist/bin/next',
        vite: 'node_modules/vite/bin/vite.js',
        'react-prediction-stream': 'node_modules/react-prediction-stream/dist/cli.js',
      }
      return path.join(dir, scripts[bin]!)
    },
  }
}
