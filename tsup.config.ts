import { defineConfig } from 'tsup'

// Four entry points with separate jobs: the browser entry must never pull in node:http
// (testing) or the token-holding route handler (server), so each is its own bundle.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      core: 'src/core/index.ts',
      server: 'src/server/index.ts',
      testing: 'src/testing/index.ts',
    },
    format: ['esm', 'cjs'],
    // tsup 8.5 + TypeScript 6 needs this for the dts build (shared/docs/toolchain.md F1).
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: true,
    external: ['react', 'react-dom', 'react/jsx-runtime'],
    // esbuild drops module-level directives when bundling; the React entry must keep
    // 'use client' at the very top so Next.js treats it as a client module.
    banner: ({ format }) => ({}),
    esbuildOptions(options, { format }) {
      void format
      options.legalComments = 'none'
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
