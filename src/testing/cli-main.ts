/**
 * The `react-prediction-stream` command, as a function: argument parsing, output and exit codes,
 * with the process (streams, signals, exit) passed in so tests can run it without spawning.
 */
import { parseArgs } from 'node:util'
import { LOCAL_API_TOKEN, CADENCES } from './options'
import { MODEL_NAMES } from './recordings'
import { startReplicateServer } from './server'

/** Where `main` writes, and when a running `serve` stops. */
export interface CliIo {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown }
  /** Aborting it stops `serve` cleanly (the bin wires SIGINT and SIGTERM to it). */
  signal?: AbortSignal
}

/** Exit code for usage errors (bad flag, unknown command), as most Unix tools use. */
export const USAGE_ERROR = 2

/** The `--help` text. */
export const USAGE = `Usage: react-prediction-stream serve [options]

Run a Replicate-compatible API server locally. It replays real outputs recorded
from Replicate, streamed token by token, and mounts the library's route handler.

Options:
  --port <n>          TCP port (default 5174; 0 picks a free port)
  --host <h>          interface to listen on (default 127.0.0.1)
  --token <t>         API token required on /v1 (default ${LOCAL_API_TOKEN})
  --cadence <c>       realistic (default) | fast | instant
  --fail-after <n>    fail every prediction after n outputs
  -h, --help          show this help

Models: ${MODEL_NAMES.join(', ')}
`

/** Thrown for bad arguments; `main` prints it with a pointer to --help and exits 2. */
class UsageError extends Error {}

function nonNegativeInteger(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(number) || number > max) {
    throw new UsageError(`${flag} must be an integer between 0 and ${max}, got "${value}"`)
  }
  return number
}

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
        'fail-after': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    // parseArgs throws TypeError with a readable message for unknown flags and missing values.
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  if (values.help) return { help: true } as const
  const [command, ...extra] = positionals
  if (command === undefined) throw new UsageError('missing command (expected "serve")')
  if (command !== 'serve') throw new UsageError(`unknown command "${command}"`)
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`)
  const cadence = values.cadence ?? 'realistic'
  if (!Object.hasOwn(CADENCES, cadence)) {
    throw new UsageError(`--cadence must be one of ${Object.keys(CADENCES).join(', ')}`)
  }
  if (values.token === '') throw new UsageError('--token must not be empty')
  return {
    help: false,
    port: values.port === undefined ? 5174 : nonNegativeInteger('--port', values.port, 65535),
    host: values.host ?? '127.0.0.1',
    token: values.token ?? LOCAL_API_TOKEN,
    cadence: cadence as keyof typeof CADENCES,
    fail:
      values['fail-after'] === undefined
        ? null
        : { afterOutputs: nonNegativeInteger('--fail-after', values['fail-after']) },
  } as const
}

/**
 * Runs the CLI. `--help` prints usage and resolves 0; a usage error prints a message on stderr
 * and resolves 2; a server that cannot start (e.g. port in use) resolves 1. `serve` prints the
 * API URL, the prediction endpoint URL and the token, then runs until `io.signal` aborts, closes
 * the server and resolves 0 (without a signal it runs until the process ends).
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
  if (args.help) {
    io.stdout.write(USAGE)
    return 0
  }
  let server
  try {
    server = await startReplicateServer(args)
  } catch (error) {
    io.stderr.write(`react-prediction-stream: cannot start server: ${(error as Error).message}\n`)
    return 1
  }
  io.stdout.write(
    [
      `Replicate-compatible server running (cadence: ${args.cadence}${args.fail ? `, failing after ${args.fail.afterOutputs} outputs` : ''})`,
      `  Replicate API:       ${server.apiUrl}`,
      `  Prediction endpoint: ${server.predictionsUrl}`,
      `  API token:           ${args.token}${args.token === LOCAL_API_TOKEN ? ' (local only, not a secret)' : ''}`,
      `  Models:              ${MODEL_NAMES.join(', ')}`,
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
