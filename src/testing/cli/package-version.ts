/**
 * The version of the installed package, for `--version`: read from its `package.json`, found by
 * walking up from this module, so it is the same from the built bin (`dist/cli.js`) and from
 * source (the tests).
 */
import { readFileSync } from 'node:fs'

const PACKAGE_NAME = 'react-prediction-stream'

/** `version` of the nearest enclosing `package.json` named `react-prediction-stream`. */
export function packageVersion(from: string | URL = import.meta.url): string {
  let dir = new URL('.', from)
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: unknown
        version?: unknown
      }
      if (manifest.name === PACKAGE_NAME && typeof manifest.version === 'string') {
        return manifest.version
      }
    } catch {
      // No package.json here (or not ours): keep walking up.
    }
    const parent = new URL('..', dir)
    if (parent.href === dir.href) throw new Error(`no ${PACKAGE_NAME} package.json above ${from}`)
    dir = parent
  }
}
