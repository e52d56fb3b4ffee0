/**
 * The `react-prediction-stream` command, as a function: argument parsing, output and exit codes,
 * with the process (streams, signals, exit) passed in so tests can run it without spawning.
 */
import { parseArgs } from 'node:util'
import { InvalidOptionsError } from '../core/errors'
import { nonNegativeInteger, UsageError } from './cli/flag-values'
import { packageVersion } from './cli/package-version'
import {
  CADENCE_HELP,
  parseCadence,
  SERVER_FLAG_OPTIONS,
  SERVER_FLAG_USAGE,
  serverOptionsFromFlags,
} from './cli/server-flags'
import { SERVED_MODELS } from './models/served-models'
import { LOCAL_API_TOKEN } from './options'
import { startReplicateServer, type StartReplicateServerOptions } from './server'

/** Names of the recorded models (text, then image iterators), then of the local-only ones. */
const RECORDED_MODELS = [
  ...SERVED_MODELS.filter((model) => model.kind === 'text' && !model.localOnly),
  ...SERVED_MODELS.filter((model) => model.kind === 'files' && !model.localOnly),
].map((model) => model.name)
const LOCAL_MODELS = SERVED_MODELS.filter((model) => model.localOnly).map((model) => model.name)

/** Where `main` writes, and when a running `serve` stops. */
export interface CliIo {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown }
  /** Aborting it stops `serve` cleanly (the bin wires SIGINT and SIGTERM to it). */
  signal?: AbortSignal
}

/** Exit code for usage errors (bad flag, unknown command), as most Unix tools use. */
export const USAGE_ERROR = 2

/** Default TCP port of the API; the stream host listens on the next one. */
export const DEFAULT_PORT = 5174

/** The `--help` text. */
export const USAGE = `Usage: react-prediction-stream serve [options]

Run a Replicate-compatible API server locally. It replays real outputs recorded
from Replicate, streamed token by token on a separate stream host, and mounts
the library's route handler.

Options:
  --port <n>          TCP port of the API (default ${DEFAULT_PORT}; 0 picks a free port)
  --host <h>          interface to listen on (default 127.0.0.1)
  --token <t>         API token required on /v1 (default ${LOCAL_API_TOKEN})
  --cadence <c>       ${CADENCE_HELP}
                      (default realistic)
${SERVER_FLAG_USAGE}  -h, --help          show this help
  --version           print the version of react-prediction-stream

Models: ${RECORDED_MODELS.join(', ')}, and ${LOCAL_MODELS.join(', ')} (local only)
`

function parse(argv: readonly string[]) {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        cadence: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        ...SERVER_FLAG_OPTIONS,
      },
    })
  } catch (error) {
    // parseArgs throws TypeError with a readable message for unknown flags and missing values,
    // then advice about positionals starting with '-', which this CLI has none of.
    const message = error instanceof Error ? error.message : String(error)
    throw new UsageError(message.replace(/\. To specify a positional argument[^]*$/, ''))
  }
  const { values, positionals } = parsed
  if (values.help) return { help: true } as const
  if (values.version) return { version: true } as const
  const [command, ...extra] = positionals
  if (command === undefined) throw new UsageError('missing command (expected "serve")')
  if (command !== 'serve') throw new UsageError(`unknown command "${command}"`)
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`)
  const cadence = values.cadence ?? 'realistic'
  if (values.token === '') throw new UsageError('--token must not be empty')
  const port =
    values.port === undefined ? DEFAULT_PORT : nonNegativeInteger('--port', values.port, 65535)
  // A fixed stream port next to a fixed API port, so both URLs stay the same from run to run.
  const streamPort =
    values['stream-port'] === undefined
      ? port === 0
        ? 0
        : port + 1
      : nonNegativeInteger('--stream-port', values['stream-port'], 65535)
  if (streamPort > 65535) throw new UsageError('--port 65535 leaves no port for --stream-port')
  const options = {
    port,
    streamPort,
    host: values.host ?? '127.0.0.1',
    token: values.token ?? LOCAL_API_TOKEN,
    cadence: parseCadence(cadence),
    ...serverOptionsFromFlags(values),
  } satisfies StartReplicateServerOptions
  return { cadenceName: cadence, options } as const
}

type ServeArgs = Extract<ReturnType<typeof parse>, { options: unknown }>

/** One line naming the faults in force, or `''` when there are none. */
function describeFaults(args: ServeArgs): string {
  const { faults } = args.options
  const parts = [
    faults.fail ? `failing after ${faults.fail.afterOutputs} outputs` : '',
    faults.cancel ? `canceling after ${faults.cancel.afterOutputs} outputs` : '',
    faults.create ? 'create errors' : '',
    faults.stream ? 'stream faults' : '',
  ].filter(Boolean)
  return parts.length > 0 ? `, ${parts.join(', ')}` : ''
}

/**
 * Runs the CLI. `--help` prints usage and `--version` the package's version, and both resolve 0;
 * a usage error prints a message on stderr and resolves 2; a server that cannot start (e.g. port
 * in use) resolves 1. `serve` prints the API URL, the stream host, the prediction endpoint URL and
 * the token, then runs until `io.signal` aborts, closes the server and resolves 0 (without a
 * signal it runs until the process ends).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let args
  try {
    args = parse(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr.write(`react-prediction-stream: ${error.message}\nTry --help.\n`)
    return USAGE_ERROR
  }
  if ('help' in args) {
    io.stdout.write(USAGE)
    return 0
  }
  if ('version' in args) {
    io.stdout.write(`${packageVersion()}\n`)
    return 0
  }
  let server
  try {
    server = await startReplicateServer(args.options)
  } catch (error) {
    if (error instanceof InvalidOptionsError) {
      io.stderr.write(`react-prediction-stream: ${error.message}\nTry --help.\n`)
      return USAGE_ERROR
    }
    io.stderr.write(`react-prediction-stream: cannot start server: ${(error as Error).message}\n`)
    return 1
  }
  io.stdout.write(
    [
      `Replicate-compatible server running (cadence: ${args.cadenceName}${describeFaults(args)})`,
      `  Replicate API:       ${server.apiUrl}`,
      `  Stream host:         ${server.streamUrl}`,
      `  Prediction endpoint: ${server.predictionsUrl}`,
      ...(args.options.allowedOrigins.length > 0
        ? [`  Allowed origins:     ${args.options.allowedOrigins.join(', ')}`]
        : []),
      `  API token:           ${args.options.token}${args.options.token === LOCAL_API_TOKEN ? ' (local only, not a secret)' : ''}`,
      `  Seed:                ${server.seed}`,
      `  Models:              ${[...RECORDED_MODELS, ...LOCAL_MODELS].join(', ')}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  )
  const { signal } = io
  await new Promise<void>((resolve) => {
    if (signal?.aborted) resolve()
    else signal?.addEventListener('abort', () => resolve(), { once: true })
  })
  await server.close()
  return 0
}
