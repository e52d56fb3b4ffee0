/**
 * The API reports: one `api/<entry>.api.md` per package entry, listing every exported name and
 * signature, so that a change to the public surface shows up in review as a diff of that file.
 * Made by API Extractor from the built declarations (`npm run build` first).
 *
 *   node scripts/api-report.mjs            fails when a report differs from the build (npm test)
 *   node scripts/api-report.mjs --update   rewrites the reports (npm run api:update)
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const update = process.argv.includes('--update')

/** Package entry → its built declarations. */
const ENTRIES = {
  'react-prediction-stream': 'dist/index.d.ts',
  'react-prediction-stream-core': 'dist/core.d.ts',
  'react-prediction-stream-server': 'dist/server.d.ts',
  'react-prediction-stream-testing': 'dist/testing.d.ts',
  'react-prediction-stream-vite': 'dist/vite.d.ts',
}

const QUIET = new Set([
  'console-compiler-version-notice',
  'console-api-report-unchanged',
  'console-preamble',
])
/** Reports written by --update: what it is for, not a warning. */
const WRITTEN = new Set(['console-api-report-created', 'console-api-report-copied'])

let failed = 0
for (const [name, declarations] of Object.entries(ENTRIES)) {
  if (!existsSync(path.join(root, declarations))) {
    console.error(`api-report: ${declarations} is missing; run npm run build first`)
    process.exit(1)
  }
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: `<projectFolder>/${declarations}`,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            lib: ['ES2022', 'DOM', 'DOM.Iterable'],
            module: 'ESNext',
            moduleResolution: 'Bundler',
            jsx: 'react-jsx',
            strict: true,
            skipLibCheck: true,
            types: ['node'],
          },
          include: [declarations],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: `${name}.api.md`,
        reportFolder: '<projectFolder>/api/',
        reportTempFolder: '<projectFolder>/node_modules/.cache/api-report/',
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning' },
          // Release tags (@public, @beta) are not used: every export of an entry is public.
          'ae-missing-release-tag': { logLevel: 'none' },
          // A type used by an entry but exported by another (or by none) is written into the
          // report, where a reviewer sees it beside the signature that uses it.
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
          // Documentation and its links are checked by TypeDoc (npm run docs), which renders them.
          'ae-undocumented': { logLevel: 'none' },
          'ae-unresolved-link': { logLevel: 'none' },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: path.join(root, 'api', 'api-extractor.json'),
    packageJsonFullPath: path.join(root, 'package.json'),
  })
  let problems = 0
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    messageCallback: (message) => {
      // Quiet when nothing changed: only a difference (or a real problem) is printed.
      if (QUIET.has(message.messageId)) message.handled = true
      else if (update && WRITTEN.has(message.messageId)) {
        message.handled = true
        console.log(`api-report: wrote api/${name}.api.md`)
      } else if (message.logLevel === 'warning' || message.logLevel === 'error') problems += 1
    },
  })
  if (!result.succeeded || problems > 0) failed += 1
}
if (failed > 0) {
  console.error(
    update
      ? 'api-report: see the messages above'
      : 'api-report: the public API changed. If that is intended, run npm run api:update and commit api/*.api.md',
  )
  process.exit(1)
}
