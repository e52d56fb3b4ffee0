/**
 * The `react-prediction-stream/vite` plugin (`src/vite/`), taken from this repository's source
 * for Storybook (`.storybook/main.ts`: `npm start` and the stories-as-tests) and Vitest's browser
 * project (`vitest.config.ts`).
 *
 * Why not a plain import: Storybook's config loader and Vite's config bundler resolve imports as
 * Node does, and warn once for every import without a file extension; the library's source is
 * written for bundlers, which resolve those. So the plugin module is imported when the dev server
 * starts, through Vite's module runner, which resolves it the way Vite resolves the app itself.
 * The config files import this file with its extension.
 */
import { fileURLToPath } from 'node:url'
import { runnerImport, type Plugin } from 'vite'
import type { LocalReplicateServerOptions } from '../src/vite/index.ts'

/**
 * A plugin whose `configureServer` is the one of `exportName(...args)`, exported by the
 * TypeScript module at `file`, imported through Vite's module runner when the server starts.
 */
export function sourcePlugin<Args extends unknown[]>(
  file: URL,
  exportName: string,
  ...args: Args
): Plugin {
  return {
    name: `react-prediction-stream:source:${exportName}`,
    async configureServer(server) {
      const { module } = await runnerImport<Record<string, (...args: Args) => Plugin>>(
        fileURLToPath(file),
      )
      const factory = module[exportName]
      if (typeof factory !== 'function') throw new Error(`${file.pathname} has no ${exportName}`)
      const hook = factory(...args).configureServer
      const handler = typeof hook === 'function' ? hook : hook?.handler
      return handler?.call(this, server)
    },
  }
}

/** `localReplicateServer` of `react-prediction-stream/vite`, from source. */
export function localReplicateServer(options: LocalReplicateServerOptions = {}): Plugin {
  return sourcePlugin(
    new URL('../src/vite/index.ts', import.meta.url),
    'localReplicateServer',
    options,
  )
}
