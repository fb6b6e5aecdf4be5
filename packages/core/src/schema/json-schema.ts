import { toJsonSchema } from '@valibot/to-json-schema'
import type { GenericSchema } from 'valibot'
import type { StandardJSONSchemaV1, StandardSchemaV1 } from './standard-schema'

export type JsonSchema = Record<string, unknown>

/**
 * The JSON Schema (draft-07) of what a payload schema accepts (its input): from Standard JSON
 * Schema when the schema offers it (zod 4.2+, arktype, valibot's `toStandardJsonSchema`), else
 * from @valibot/to-json-schema for a plain valibot schema; undefined when neither converts it.
 * Kept out of the emit path: only the devtools catalog and the compatibility checks import it.
 */
export const jsonSchemaOf = (schema: StandardSchemaV1): JsonSchema | undefined => {
  const props: StandardSchemaV1.Props & Partial<StandardJSONSchemaV1.Props> = schema['~standard']
  try {
    if (props.jsonSchema !== undefined) return props.jsonSchema.input({ target: 'draft-07' })
    if (props.vendor === 'valibot') return toJsonSchema(schema as GenericSchema, { typeMode: 'input', errorMode: 'ignore' }) as JsonSchema
  } catch {
    // A schema JSON Schema cannot express (custom checks, transforms in some libraries) has none.
  }
  return undefined
}

/** The schema library's name as it reports it (`valibot`, `zod`, `arktype`, `effect`). */
export const vendorOf = (schema: StandardSchemaV1): string => schema['~standard'].vendor
