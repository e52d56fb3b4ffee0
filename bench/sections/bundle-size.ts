/**
 * What each client costs to ship: esbuild bundles the named imports (dependencies included,
 * React excluded), minified, then brotli (quality 11) and gzip (level 9) measure the bytes a
 * browser downloads. Ours is measured from the published build in `dist/` (`npm run bench`
 * builds it first), exactly as `npm run size` measures its budget (`.size-limit.js`).
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** What is measured: a name and the module text that imports it. */
export const BUNDLES = [
  {
    name: 'react-prediction-stream (usePredictionStream + StreamingText)',
    entry: `export { usePredictionStream, StreamingText } from './dist/index.js'`,
  },
  {
    // The opt-in feature, to show what it adds when an app uses it.
    name: 'react-prediction-stream (the same + resumeAfterReload)',
    entry: `export { usePredictionStream, StreamingText, resumeAfterReload } from './dist/index.js'`,
  },
  {
    name: 'react-prediction-stream/core (whole entry)',
    entry: `export * from './dist/core.js'`,
  },
  {
    name: '@ai-sdk/react (useCompletion + useChat)',
    entry: `export { useCompletion, useChat } from '@ai-sdk/react'`,
  },
  { name: '@ai-sdk/react (useCompletion)', entry: `export { useCompletion } from '@ai-sdk/react'` },
  { name: 'replicate (the client)', entry: `export { default } from 'replicate'` },
] as const

export interface BundleSize {
  name: string
  minifiedBytes: number
  gzipBytes: number
  brotliBytes: number
}

export async function measureBundles(): Promise<BundleSize[]> {
  const sizes: BundleSize[] = []
  for (const { name, entry } of BUNDLES) {
    const result = await build({
      stdin: { contents: entry, resolveDir: root, loader: 'ts' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      external: ['react', 'react-dom', 'react/jsx-runtime'],
      define: { 'process.env.NODE_ENV': '"production"' },
    })
    const code = result.outputFiles[0]!.contents
    sizes.push({
      name,
      minifiedBytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      brotliBytes: brotliCompressSync(code, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
      }).length,
    })
  }
  return sizes
}
