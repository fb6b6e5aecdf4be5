/** The parts of a valibot schema the shortcut reads. */
interface SchemaParts {
  readonly type?: unknown
  readonly pipe?: unknown
  readonly async?: unknown
  readonly default?: unknown
  readonly wrapped?: SchemaParts
  readonly entries?: Readonly<Record<string, SchemaParts>>
}

type Check = (value: unknown) => boolean

/**
 * A plain function for the common payload schemas (objects of strings, numbers, booleans,
 * optional and nullable ones, nested objects), mirroring what valibot's own run of each accepts.
 * undefined for anything else (pipes, defaults, other types): valibot then decides every time.
 */
const compile = (schema: SchemaParts | undefined): Check | undefined => {
  if (schema === undefined || schema.pipe !== undefined || schema.async === true) return undefined
  switch (schema.type) {
    case 'string': return (x) => typeof x === 'string'
    case 'number': return (x) => typeof x === 'number' && !Number.isNaN(x)
    case 'boolean': return (x) => typeof x === 'boolean'
    case 'optional':
    case 'nullable': {
      const inner = schema.default === undefined ? compile(schema.wrapped) : undefined
      if (inner === undefined) return undefined
      return schema.type === 'optional' ? (x) => x === undefined || inner(x) : (x) => x === null || inner(x)
    }
    case 'object': {
      const entries = schema.entries ?? {}
      const keys = Object.keys(entries)
      const checks = keys.map((key) => compile(entries[key]))
      if (checks.some((check) => check === undefined)) return undefined
      // valibot's object: any non-null object; a key is read when `key in` the value, else it must be optional.
      const optional = keys.map((key) => entries[key]!.type === 'optional')
      return (x) => {
        if (typeof x !== 'object' || x === null) return false
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!
          if (key in x ? !checks[i]!((x as Record<string, unknown>)[key]) : !optional[i]) return false
        }
        return true
      }
    }
  }
  return undefined
}

const compiled = new WeakMap<object, Check | null>()

const isValibot = (schema: object): boolean => (schema as { '~standard'?: { vendor?: unknown } })['~standard']?.vendor === 'valibot'

/**
 * True only when the schema would accept `value`: a shortcut the codec takes before the full
 * check, which still runs (and says what is wrong) whenever this says false. Only valibot schemas
 * are read, whose types this mirrors. Payload validation was a third of decode's time, mostly
 * valibot building an output and a result object per field that decode does not use.
 */
export const surelyValid = (schema: object, value: unknown): boolean => {
  let check = compiled.get(schema)
  if (check === undefined) compiled.set(schema, (check = (isValibot(schema) ? compile(schema as SchemaParts) : undefined) ?? null))
  return check !== null && check(value)
}
