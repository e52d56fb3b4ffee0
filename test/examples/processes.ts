/**
 * Child processes for the examples' tests: commands that must succeed (installs, builds) and
 * servers that run until stopped (the CLI, `next start`, `vite preview`). Their output is kept
 * and shown only when something fails, so a passing run prints nothing of it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'

/**
 * The environment children get: only what a fresh shell has, never this test process's own
 * (`NODE_ENV=test`, `VITEST_*`, `npm_config_*` from `npm test`, a token someone exported). The
 * directory of the Node running the tests goes first on `PATH`, so `npm`, `next` and `vite`
 * run on the same Node (20 or 24) as the tests.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const pick = (name: string) => (process.env[name] ? { [name]: process.env[name] } : {})
  return {
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    ...pick('HOME'),
    ...pick('TMPDIR'),
    ...pick('LANG'),
    NEXT_TELEMETRY_DISABLED: '1',
    ...extra,
  }
}

/** The last `lines` lines of `output`, for an error message. */
function tail(output: string, lines = 60): string {
  return output.split('\n').slice(-lines).join('\n')
}

/** What a child printed: everything, in order, and its stdout alone. */
function collect(child: ChildProcess) {
  let output = ''
  let stdout = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    stdout += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return { output: () => output, stdout: () => stdout }
}

/**
 * Runs `command` to its end; resolves its stdout, or rejects with everything it printed on a
 * non-zero exit.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 600_000,
    })
    const { output, stdout } = collect(child)
    child.once('error', reject)
    child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout())
      else {
        const how = signal ? `was killed (${signal})` : `exited with ${code}`
        reject(new Error(`${command} ${args.join(' ')} ${how}:\n${tail(output())}`))
      }
    })
  })
}

/** `stop()` of every server started and not stopped yet, for an `afterAll`. */
const running = new Set<() => Promise<void>>()

/** Stops every server {@link startServer} started, ready or not. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()))
}

/** A server started by {@link startServer}. */
export interface RunningServer {
  /** What `ready` matched in its output. */
  readonly match: RegExpExecArray
  /** Everything it printed so far. */
  output(): string
  /** Stops it and every process it started (its process group); resolves when it has exited. */
  stop(): Promise<void>
}

/**
 * Starts a long-running `command` in its own process group and resolves once its output matches
 * `ready`; rejects with its output if it exits first.
 */
export function startServer(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; ready: RegExp },
): Promise<RunningServer> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const { output } = collect(child)
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM')
      } catch {
        // Already gone.
      }
      const killed = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // Already gone.
        }
      }, 5_000)
      await exited
      clearTimeout(killed)
    }
    running.delete(stop)
  }
  running.add(stop)
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = options.ready.exec(output())
      if (!match) return
      child.stdout?.off('data', check)
      child.stderr?.off('data', check)
      resolve({ match, output, stop })
    }
    child.stdout?.on('data', check)
    child.stderr?.on('data', check)
    child.once('error', reject)
    void exited.then(() => {
      reject(
        new Error(`${command} ${args.join(' ')} exited before it was ready:\n${tail(output())}`),
      )
    })
  })
}

/** A TCP port that was free a moment ago, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
