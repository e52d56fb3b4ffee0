/**
 * Builds the bench's pages with Vite for production, as an app ships: minified, React's
 * production build. `react-dom/client` is React's production *profiling* build, the one build
 * in which `<Profiler onRender>` counts commits; every page gets it alike.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { build } from 'vite'

/** The pages, by file name (`bench/pages/{name}.html`). */
export const PAGES = ['ours', 'ai-sdk', 'ai-sdk-throttled', 'naive', 'paragraph'] as const
export type PageName = (typeof PAGES)[number]

const pagesDir = fileURLToPath(new URL('../pages/', import.meta.url))

/** Builds every page into a new temporary directory and returns it. */
export async function buildPages(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'bench-pages-'))
  await build({
    configFile: false,
    root: pagesDir,
    base: './',
    mode: 'production',
    logLevel: 'warn',
    plugins: [react()],
    resolve: { alias: [{ find: /^react-dom\/client$/, replacement: 'react-dom/profiling' }] },
    build: {
      outDir,
      emptyOutDir: true,
      reportCompressedSize: false,
      rolldownOptions: {
        input: Object.fromEntries(PAGES.map((name) => [name, join(pagesDir, `${name}.html`)])),
      },
    },
  })
  return outDir
}
