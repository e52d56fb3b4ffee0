import type { CreatePredictionBody, PredictionTarget } from './endpoint-client'
import { InvalidOptionsError } from './errors'
import type { PredictionStreamOptions } from './types'

/**
 * Checks the options a {@link PredictionStream} is created with, so a programming error is
 * reported at once with what to change, not as a failed request later.
 *
 * @throws {@link InvalidOptionsError} for a missing or malformed `endpoint` (a relative one is
 * accepted here and refused only when used outside a browser), more than one of
 * `model`, `version` and `deployment`, a `model` or `deployment` not shaped `owner/name`, or a
 * `fetch` that is not a function.
 */
export function validateOptions(options: PredictionStreamOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('PredictionStream needs an options object')
  }
  if (typeof options.endpoint !== 'string' || options.endpoint === '') {
    throw new InvalidOptionsError('`endpoint` must be the URL of your prediction endpoint')
  }
  // A relative endpoint is fine where it will be used (a browser page); on a server, a render
  // may build the stream without ever using it, so only its use is refused (see endpointUrl).
  if (!URL.canParse(options.endpoint, pageBase() ?? 'http://localhost')) {
    throw new InvalidOptionsError(`\`endpoint\` "${options.endpoint}" is not a valid URL`)
  }
  const targets = (['model', 'version', 'deployment'] as const).filter(
    (name) => typeof options[name] === 'string' && options[name] !== '',
  )
  if (targets.length > 1) {
    throw new InvalidOptionsError(
      `Set only one of \`model\` ("owner/name"), \`version\` and \`deployment\`, got ${targets.join(' and ')}`,
    )
  }
  for (const name of ['model', 'deployment'] as const) {
    const value = options[name]
    if (targets.includes(name) && !/^[^/\s]+\/[^/\s]+$/.test(value as string)) {
      throw new InvalidOptionsError(`\`${name}\` must look like "owner/name", got "${value}"`)
    }
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new InvalidOptionsError('`fetch` must be a function')
  }
}

function pageBase(): string | undefined {
  return (globalThis as { location?: { href: string } }).location?.href
}

/**
 * Checks, when a request is about to be made, that `endpoint` can be resolved here: a relative
 * endpoint needs a page (`location`) to resolve against.
 *
 * @throws {@link InvalidOptionsError} for a relative endpoint outside a browser.
 */
export function assertResolvable(endpoint: string): void {
  if (!URL.canParse(endpoint, pageBase())) {
    throw new InvalidOptionsError(
      `\`endpoint\` "${endpoint}" is relative, and outside a browser it must be absolute`,
    )
  }
}

/** The one target `start()` runs, or `undefined` when the stream can only `attach()`. */
export function targetOf(options: PredictionStreamOptions): PredictionTarget | undefined {
  if (options.model) return { model: options.model }
  if (options.version) return { version: options.version }
  if (options.deployment) return { deployment: options.deployment }
  return undefined
}

/**
 * The create body for `start(input)`.
 *
 * @throws {@link InvalidOptionsError} when the stream has no target or `input` is not an object.
 */
export function createBody(
  target: PredictionTarget | undefined,
  input: Record<string, unknown>,
): CreatePredictionBody {
  if (!target) {
    throw new InvalidOptionsError('start() needs `model`, `version` or `deployment` in the options')
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidOptionsError('start(input) needs an input object, e.g. { prompt: "…" }')
  }
  return { ...target, input }
}
