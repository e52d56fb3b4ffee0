/**
 * The `react-prediction-stream` bin: wires the process to `main` (see `cli-main.ts`).
 * SIGINT (Ctrl+C) and SIGTERM stop the server cleanly, then the process exits with main's code.
 */
import { main } from './cli-main'

const controller = new AbortController()
const stop = (): void => controller.abort()
process.once('SIGINT', stop)
process.once('SIGTERM', stop)

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
})
process.off('SIGINT', stop)
process.off('SIGTERM', stop)
