import { Validator } from '@cfworker/json-schema'
import type { Schema } from '@cfworker/json-schema'

type JsonSchema = Record<string, unknown>

const isSchema = (x: unknown): x is JsonSchema => typeof x === 'object' && x !== null && !Array.isArray(x)

/** A value that has the schema's shape, as a starting point for the dispatch editor. */
export function exampleFromSchema(schema: unknown, depth = 0): unknown {
  if (!isSchema(schema) || depth > 8) return null
  if ('default' in schema) return schema.default
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0]
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key]
    if (Array.isArray(options) && options.length) return exampleFromSchema(options[0], depth + 1)
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const properties = isSchema(schema.properties) ? schema.properties : {}
      for (const [key, sub] of Object.entries(properties)) out[key] = exampleFromSchema(sub, depth + 1)
      return out
    }
    case 'array': return []
    case 'string': return schema.format === 'date-time' ? new Date(0).toISOString() : ''
    case 'number': case 'integer': return typeof schema.minimum === 'number' ? schema.minimum : 0
    case 'boolean': return false
    default: return null
  }
}

/** Where a value breaks the schema, one message per failing leaf (`/amount: …`). */
export function schemaErrors(schema: JsonSchema, value: unknown): string[] {
  const { valid, errors } = new Validator(schema as Schema, '7', false).validate(value)
  if (valid) return []
  // The validator also reports each failing container ("property X does not match"); the leaves say why.
  const leaves = errors.filter((e) => !['properties', 'items', 'allOf', '$ref'].includes(e.keyword))
  const messages = (leaves.length ? leaves : errors).map((e) => `${e.instanceLocation.replace(/^#/, '') || '/'}: ${e.error}`)
  return [...new Set(messages)]
}
