/**
 * Validates response bodies against Replicate's own OpenAPI schema
 * (`testkit/fixtures/replicate-openapi.json`, a verbatim copy of
 * https://api.replicate.com/openapi.json)
 * with Ajv in JSON Schema 2020-12 mode, which is what OpenAPI 3.1 schemas are.
 *
 * One translation is applied, and only one: the document says `openapi: 3.1.0` but still uses
 * OpenAPI 3.0's `nullable: true` (on `error`, `next`, `previous`), which 2020-12 does not know, so
 * `{ type: T, nullable: true }` becomes `{ type: [T, 'null'] }`, exactly the 3.0 → 3.1 migration
 * rule. `example` is an OpenAPI annotation and is declared as such, and so are the document-level
 * fields (`paths`, `components`, …) that the `$ref`s point into; strict mode stays on, so any other
 * unknown keyword inside a schema would fail loudly instead of being ignored.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import openapi from './fixtures/replicate-openapi.json' with { type: 'json' }

const DOCUMENT_ID = 'https://api.replicate.com/openapi.json'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Deep copy with 3.0's `nullable: true` turned into a 2020-12 type union. */
function withoutNullable(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutNullable)
  if (value === null || typeof value !== 'object') return value
  const copy: { [key: string]: Json } = {}
  for (const [key, child] of Object.entries(value)) {
    if (key !== 'nullable') copy[key] = withoutNullable(child)
  }
  if (value.nullable === true && typeof value.type === 'string') copy.type = [value.type, 'null']
  return copy
}

const ajv = new Ajv2020({ strict: true, allErrors: true })
addFormats(ajv)
// OpenAPI's annotation keyword, and the document-level fields around the schemas: known, never
// validated, so `$ref`s can point into `components` and `paths`.
ajv.addVocabulary([
  'example',
  'openapi',
  'info',
  'servers',
  'paths',
  'components',
  'security',
  'tags',
  'externalDocs',
])
ajv.addSchema({ ...(withoutNullable(openapi as unknown as Json) as object), $id: DOCUMENT_ID })

/** JSON Pointer escaping of one segment. */
const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1')

const cache = new Map<string, ValidateFunction>()

/**
 * The validator of the documented response body of `method path` with `status`, e.g.
 * `responseValidator('get', '/predictions/{prediction_id}', 200)`.
 *
 * @throws Error when the document has no JSON body for that response.
 */
export function responseValidator(method: string, path: string, status: number): ValidateFunction {
  const pointer = [
    'paths',
    path,
    method,
    'responses',
    String(status),
    'content',
    'application/json',
    'schema',
  ]
    .map(escape)
    .join('/')
  let validate = cache.get(pointer)
  if (!validate) {
    const operation = (openapi.paths as Record<string, Record<string, unknown>>)[path]?.[method]
    if (!operation) throw new Error(`No operation ${method} ${path} in the OpenAPI document`)
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}#/${pointer}` })
    cache.set(pointer, validate)
  }
  return validate
}

/** Every documented (method, path, status) with a JSON body among the prediction operations. */
export function predictionOperations(): { method: string; path: string; status: number }[] {
  const operations: { method: string; path: string; status: number }[] = []
  for (const [path, item] of Object.entries(openapi.paths as Record<string, object>)) {
    for (const [method, operation] of Object.entries(item as Record<string, unknown>)) {
      const op = operation as { operationId?: string; responses?: Record<string, unknown> }
      if (!op.operationId || !/predictions\.(create|get|cancel|list)$/.test(op.operationId))
        continue
      for (const status of Object.keys(op.responses ?? {})) {
        operations.push({ method, path, status: Number(status) })
      }
    }
  }
  return operations
}

/** Ajv's errors as one readable line, for assertion messages. */
export function errorsOf(validate: ValidateFunction): string {
  return ajv.errorsText(validate.errors)
}
