/**
 * Which models, versions and deployments the browser may run on the token's bill. Required,
 * because the route is public: an open default lets any visitor run any model.
 */
import { InvalidOptionsError } from '../../core/errors'
import type { CreateTarget } from './create-request'
import { problem } from '../problem'

/** The explicit form of `allowedModels`, one list per kind of target. */
export interface AllowedModels {
  /** Models run by name, `owner/name` (`{ model }` in the create body). */
  models?: readonly string[]
  /** Exact `version` strings: a 64-hex version id, or `owner/name:id` (`{ version }`). */
  versions?: readonly string[]
  /** Deployments, `owner/name` (`{ deployment }`). */
  deployments?: readonly string[]
}

/**
 * `'*'` (everything, said explicitly), a list of models and versions (each entry matches a model
 * `owner/name` or an exact version string, not deployments), or {@link AllowedModels}.
 */
export type AllowedModelsOption = '*' | readonly string[] | AllowedModels

/** `true` when `target` may run. */
export type AllowedCheck = (target: CreateTarget) => boolean

/**
 * Resolves the option into a check.
 *
 * @throws InvalidOptionsError when it is missing or not one of the three shapes.
 */
export function resolveAllowedModels(option: unknown): AllowedCheck {
  if (option === '*') return () => true
  if (option === undefined) {
    throw new InvalidOptionsError(
      'createPredictionHandler: `allowedModels` is required: list the models, versions and ' +
        "deployments the browser may run, or pass '*' to allow every one.",
    )
  }
  if (Array.isArray(option)) {
    const names = stringSet(option, 'allowedModels')
    return (target) => target.kind !== 'deployment' && names.has(target.name)
  }
  if (typeof option === 'object' && option !== null) {
    const { models, versions, deployments } = option as AllowedModels
    const sets = {
      model: stringSet(models ?? [], 'allowedModels.models'),
      version: stringSet(versions ?? [], 'allowedModels.versions'),
      deployment: stringSet(deployments ?? [], 'allowedModels.deployments'),
    }
    return (target) => sets[target.kind].has(target.name)
  }
  throw new InvalidOptionsError(
    "createPredictionHandler: `allowedModels` must be '*', an array of strings or " +
      '{ models, versions, deployments }.',
  )
}

/** The 403 for a target not allowed. */
export function notAllowed(target: CreateTarget): Response {
  return problem(
    403,
    'Model not allowed',
    `This server does not allow the ${target.kind} "${target.name}".`,
  )
}

function stringSet(values: unknown, name: string): Set<string> {
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
    throw new InvalidOptionsError(
      `createPredictionHandler: \`${name}\` must be an array of strings.`,
    )
  }
  return new Set(values)
}
