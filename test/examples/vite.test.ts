import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser } from 'playwright'
import { itDrivesTheHaiku, launchChromium, type HaikuApp } from './haiku-page'
import { installExample, type InstalledExample } from './install'
import { freePort, run, startServer, stopAllServers } from './processes'

// examples/vite as a user runs it: `vite build`, then `vite preview`, where the
// react-prediction-stream/vite plugin mounts the route and the local server. Installed twice:
// as written (React 19), and with React 18, the oldest React the package supports.
const installs: { react: string; as: string; dependencies: Record<string, string> }[] = [
  { react: '19.3.1', as: 'vite', dependencies: {} },
  {
    react: '18.3.1',
    as: 'vite-react-18',
    dependencies: { react: '18.3.1', 'react-dom': '18.3.1' },
  },
]

describe.each(installs)('examples/vite with React $react', ({ react, as, dependencies }) => {
  let browser: Browser | undefined
  let example: InstalledExample
  let app: HaikuApp

  beforeAll(async () => {
    example = await installExample('vite', inject('libraryTarball'), { as, dependencies })
    await run(process.execPath, [example.bin('vite'), 'build'], { cwd: example.dir })
    const port = await freePort()
    const preview = await startServer(
      process.execPath,
      [
        example.bin('vite'),
        'preview',
        '--port',
        String(port),
        '--strictPort',
        '--host',
        '127.0.0.1',
      ],
      { cwd: example.dir, ready: /Local: +(http:\/\/\S+?)\/?\s/ },
    )
    const origin = preview.match[1]!
    browser = await launchChromium()
    app = { browser, url: `${origin}/`, apiUrl: `${origin}/v1` }
  })

  afterAll(async () => {
    await browser?.close()
    await stopAllServers()
  })

  it(`bundles React ${react}`, async () => {
    const installed = JSON.parse(
      await readFile(path.join(example.dir, 'node_modules/react/package.json'), 'utf8'),
    ) as { version: string }
    expect(installed.version).toBe(react)
    const assets = path.join(example.dir, 'dist/assets')
    const bundles = await Promise.all(
      (await readdir(assets))
        .filter((name) => name.endsWith('.js'))
        .map((name) => readFile(path.join(assets, name), 'utf8')),
    )
    // React's own `version` export, as the minifier quotes it.
    expect(bundles.some((code) => code.includes(`version=\`${react}\``))).toBe(true)
  })

  itDrivesTheHaiku(() => app)
})
