/**
 * The browser's create body `{ model | version | deployment, input }`, validated, and the
 * upstream call it becomes (https://replicate.com/docs/reference/http, docs/replicate-protocol.md
 * §1.1).
 */
import { problem } from '../problem'

/** Largest create body accepted by default. Inputs are prompts and URLs, not files. */
export const MAX_BODY_BYTES = 1024 * 1024

/**
 * `owner/name` with each part starting alphanumeric: besides Replicate's naming rules, this
 * keeps `.`/`..` segments and slashes out of the upstream path the name is spliced into.
 */
const OWNER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*\/[a-zA-Z0-9][a-zA-Z0-9_.-]*$/

/** Longest `version` accepted (a 64-hex id, or `owner/name:id`). It only goes in a JSON body. */
const MAX_VERSION_LENGTH = 256

/**
 * What the browser asked to run, by `kind`:
 * - `model`: an official model, `owner/name`: `POST /v1/models/{owner}/{name}/predictions`;
 * - `version`: a version id (or `owner/name:id`): `POST /v1/predictions` with `version`;
 * - `deployment`: a deployment, `owner/name`: `POST /v1/deployments/{owner}/{name}/predictions`.
 */
export interface CreateTarget {
  /** Which of Replicate's three ways to name what runs. */
  kind: 'model' | 'version' | 'deployment'
  /** The model's or deployment's `owner/name`, or the version id. */
  name: string
}

/** A valid create body. */
export interface CreateRequest {
  target: CreateTarget
  input: Record<string, unknown>
}

/**
 * Validates a parsed create body. Only the target and `input` are kept: `webhook`, `stream` and
 * every other field are dropped, because the browser must not choose where Replicate posts
 * results, nor anything else the token's owner pays for. Returns a 400 problem otherwise.
 */
export function parseCreateBody(body: unknown): CreateRequest | Response {
  if (!isObject(body)) {
    return invalid(
      'The request body must be a JSON object { model | version | deployment, input }.',
    )
  }
  const { model, version, deployment, input } = body
  const given = [model, version, deployment].filter((v) => v !== undefined).length
  if (given !== 1) return invalid('Send exactly one of "model", "version" or "deployment".')
  if (!isObject(input)) return invalid('"input" must be a JSON object.')

  if (model !== undefined) {
    if (typeof model !== 'string' || !OWNER_NAME.test(model)) {
      return invalid('"model" must be a string "owner/name".')
    }
    return { target: { kind: 'model', name: model }, input }
  }
  if (deployment !== undefined) {
    if (typeof deployment !== 'string' || !OWNER_NAME.test(deployment)) {
      return invalid('"deployment" must be a string "owner/name".')
    }
    return { target: { kind: 'deployment', name: deployment }, input }
  }
  if (typeof version !== 'string' || version.trim() === '' || version.length > MAX_VERSION_LENGTH) {
    return invalid(
      `"version" must be a non-empty string of at most ${MAX_VERSION_LENGTH} characters.`,
    )
  }
  return { target: { kind: 'version', name: version }, input }
}

/** The upstream path and JSON body that create `target` with `input`. */
export function upstreamCreate(
  target: CreateTarget,
  input: Record<string, unknown>,
): { path: string; body: Record<string, unknown> } {
  switch (target.kind) {
    case 'model':
      return { path: `/models/${target.name}/predictions`, body: { input } }
    case 'deployment':
      return { path: `/deployments/${target.name}/predictions`, body: { input } }
    case 'version':
      return { path: '/predictions', body: { version: target.name, input } }
  }
}

/** `true` for a non-null, non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(detail: string): Response {
  return problem(400, 'Invalid request', detail)
}
