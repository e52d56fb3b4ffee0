import { readFile, writeFile } from 'node:fs/promises'
import { defineConfig } from 'tsup'

// Five entry points with separate jobs: the browser entry must never pull in node:http
// (testing, vite) or the token-holding route handler (server), so each is its own bundle.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      core: 'src/core/index.ts',
      server: 'src/server/index.ts',
      testing: 'src/testing/index.ts',
      vite: 'src/vite/index.ts',
    },
    format: ['esm', 'cjs'],
    // tsup 8.5 + TypeScript 6 needs this for the dts build (docs/toolchain.md F1).
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: true,
    external: ['react', 'react-dom', 'react/jsx-runtime', 'vite'],
    // esbuild drops module-level directives when bundling, but Next.js must see 'use client'
    // at the very top of the React entry to treat it as a client module.
    async onSuccess() {
      for (const file of ['dist/index.js', 'dist/index.cjs']) {
        const code = await readFile(file, 'utf8')
        if (!/^['"]use client['"]/.test(code)) await writeFile(file, `'use client';\n${code}`)
      }
    },
  },
  {
    entry: { cli: 'src/testing/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
])
