import type { GenericSchema, InferOutput } from 'valibot'
import { checkEncodable } from './encodable'
import { TidingsError } from './errors'
import { definitionOf, validatePayload } from './validation'

/**
 * Turns a payload of version `n` into version `n + 1`. Declared as a method so that an
 * upcaster may annotate its own parameter type (method parameters are bivariant).
 */
export type Upcaster = { step(data: Record<string, unknown>): unknown }['step']

export interface EventOptions<S extends GenericSchema> {
  /** The current payload version (default 1). Envelopes carry it as `dataversion`. */
  version?: number
  /** The valibot schema of the current payload version. */
  schema: S
  /** `{ n: fn }` upgrades a version-`n` payload to version `n + 1`. */
  upcast?: Readonly<Record<number, Upcaster>>
  /** Shown in the devtools catalog. */
  description?: string
  /** `false` keeps this type out of the store's event log (default true). */
  persist?: boolean
}

/** One event type of a catalog. */
export interface EventDefinition<T extends string = string, S extends GenericSchema = GenericSchema> {
  readonly type: T
  readonly version: number
  readonly schema: S
  readonly upcast: Readonly<Record<number, Upcaster>>
  readonly description: string | undefined
  readonly persist: boolean
}

/** The set of event types a typed bus or codec accepts. */
export interface Catalog<D extends EventDefinition = EventDefinition> {
  readonly definitions: ReadonlyMap<string, D>
  get(type: string): D | undefined
  /** Returns the validated payload; throws E_UNKNOWN_TYPE or E_VALIDATION (naming each bad field). */
  validate(type: string, data: unknown): unknown
}

/** Maps each type of a catalog to its payload type. */
export type EventsOf<C> = C extends Catalog<infer D>
  ? { [K in D as K['type']]: InferOutput<K['schema']> }
  : never

const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)

const TYPE_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/

/** Declares an event type with its payload schema and version history. */
/* @__NO_SIDE_EFFECTS__ */
export function defineEvent<const T extends string, S extends GenericSchema>(
  type: T,
  options: EventOptions<S>,
): EventDefinition<T, S> {
  const version = options.version ?? 1
  if (!TYPE_RE.test(type)) {
    throw invalid(`defineEvent: "${type}" is not a valid event type: use dot-separated segments of letters, digits, "_" or "-" (e.g. "order.placed")`)
  }
  if (!Number.isInteger(version) || version < 1) {
    throw invalid(`defineEvent("${type}"): version must be an integer ≥ 1, got ${String(options.version)}`)
  }
  const upcast = options.upcast ?? {}
  for (let from = 1; from < version; from++) {
    if (typeof upcast[from] !== 'function') {
      throw invalid(`defineEvent("${type}"): version ${version} needs an upcaster for every older version; upcast[${from}] (v${from} → v${from + 1}) is missing`)
    }
  }
  return { type, version, schema: options.schema, upcast, description: options.description, persist: options.persist ?? true }
}

/** Groups event definitions into a catalog; a type may appear only once. */
/* @__NO_SIDE_EFFECTS__ */
export function defineCatalog<const D extends readonly EventDefinition[]>(...definitions: D): Catalog<D[number]> {
  const map = new Map<string, D[number]>()
  for (const def of definitions) {
    if (map.has(def.type)) throw invalid(`defineCatalog: event type "${def.type}" is defined twice`)
    map.set(def.type, def)
  }
  const catalog: Catalog<D[number]> = {
    definitions: map,
    get: (type) => map.get(type),
    validate(type, data) {
      const output = validatePayload(definitionOf(catalog, type), data)
      // A schema may accept what JSON cannot carry (v.number() takes Infinity): refused at emit all the same.
      checkEncodable({ type, data })
      return output
    },
  }
  return catalog
}
