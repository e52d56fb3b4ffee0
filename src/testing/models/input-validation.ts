/**
 * Validates a prediction's `input` against its model's schema with Ajv (JSON Schema 2020-12) and
 * reports the violations in the shape Replicate sends: gojsonschema's error `type`s, a dotted
 * `field` rooted at `input`, and gojsonschema's English `description`s
 * (`docs/replicate-protocol.md` §1.3: `{"type":"required","field":"input","description":"prompt is
 * required"}`, `{"type":"number_lte","field":"input.num_inference_steps","description":"Must be
 * less than or equal to 4"}`).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
// The same entry the client reads back from a 422: `type` is gojsonschema's error type
// (`required`, `invalid_type`, `number_lte`, `enum`, …), `field` the dotted path of the offending
// value (`input.max_tokens`, or `input` for the object itself).
import type { InvalidField } from '../../core/errors'
import type { JsonSchema } from './input-schemas'

// allErrors: Replicate lists every violation at once. verbose: the `given` type of an
// invalid_type error needs the offending value.
const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true })
const compiled = new WeakMap<JsonSchema, ValidateFunction>()

/** JSON Schema's name for the type of `value`, as gojsonschema reports it. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** gojsonschema's rendering of allowed values: JSON, comma-separated. */
function allowed(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ')
}

/** `input` plus the JSON Pointer `/a/0` as `input.a.0`. */
function fieldOf(instancePath: string): string {
  if (instancePath === '') return 'input'
  const segments = instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
  return ['input', ...segments].join('.')
}

/** Translates one Ajv error into gojsonschema's vocabulary. */
function toInvalidField(error: ErrorObject): InvalidField {
  const field = fieldOf(error.instancePath)
  const params = error.params as Record<string, unknown>
  const limit = String(params.limit)
  switch (error.keyword) {
    case 'required':
      return {
        type: 'required',
        field,
        description: `${String(params.missingProperty)} is required`,
      }
    case 'type':
      return {
        type: 'invalid_type',
        field,
        description: `Invalid type. Expected: ${String(params.type)}, given: ${jsonType(error.data)}`,
      }
    case 'minimum':
      return { type: 'number_gte', field, description: `Must be greater than or equal to ${limit}` }
    case 'exclusiveMinimum':
      return { type: 'number_gt', field, description: `Must be greater than ${limit}` }
    case 'maximum':
      return { type: 'number_lte', field, description: `Must be less than or equal to ${limit}` }
    case 'exclusiveMaximum':
      return { type: 'number_lt', field, description: `Must be less than ${limit}` }
    case 'enum':
      return {
        type: 'enum',
        field,
        description: `${field} must be one of the following: ${allowed(params.allowedValues as unknown[])}`,
      }
    case 'pattern':
      return {
        type: 'pattern',
        field,
        description: `Does not match pattern '${String(params.pattern)}'`,
      }
    case 'minLength':
      return {
        type: 'string_gte',
        field,
        description: `String length must be greater than or equal to ${limit}`,
      }
    case 'maxLength':
      return {
        type: 'string_lte',
        field,
        description: `String length must be less than or equal to ${limit}`,
      }
    case 'additionalProperties':
      return {
        type: 'additional_property_not_allowed',
        field,
        description: `Additional property ${String(params.additionalProperty)} is not allowed`,
      }
    default:
      return { type: error.keyword, field, description: error.message ?? 'Invalid value' }
  }
}

/**
 * Validates `input` against `schema` and returns every violation, or `[]` when it is valid.
 * Schemas are compiled once and cached.
 */
export function validateInput(schema: JsonSchema, input: unknown): InvalidField[] {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  if (validate(input)) return []
  return (validate.errors ?? []).map(toInvalidField)
}
