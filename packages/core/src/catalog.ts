import type { EmitOptions } from './envelope'
import { checkEncodable } from './encodable'
import { TidingsError } from './errors'
import type { StandardSchemaV1 } from './schema/standard-schema'
import type { EnvelopeOf, Keys } from './types'
import { definitionOf, validatePayload } from './validation'

/**
 * Turns a payload of version `n` into version `n + 1`. Declared as a method so that an
 * upcaster may annotate its own parameter type (method parameters are bivariant).
 */
export type Upcaster = { step(data: Record<string, unknown>): unknown }['step']

/** What `emit` takes for schema `S` (before defaults and transforms). */
export type SchemaInput<S> = S extends StandardSchemaV1 ? NonNullable<S['~standard']['types']>['input'] : never
/** What handlers get for schema `S` (after defaults and transforms). */
export type SchemaOutput<S> = S extends StandardSchemaV1 ? NonNullable<S['~standard']['types']>['output'] : never

export interface EventOptions<S extends StandardSchemaV1> {
  /** The current payload version (default 1). Envelopes carry it as `dataversion`. */
  version?: number
  /**
   * The current payload version's schema: any Standard Schema v1 that validates synchronously
   * (valibot, zod 4, arktype 2, Effect's `Schema.toStandardSchemaV1(…)`).
   */
  schema: S
  /** `{ n: fn }` upgrades a version-`n` payload to version `n + 1`. */
  upcast?: Readonly<Record<number, Upcaster>>
  /** Shown in the devtools catalog. */
  description?: string
  /** `false` keeps this type out of the store's event log (default true). */
  persist?: boolean
  /** Payloads of this version: `tidings catalog snapshot` keeps them, and later checks upcast them to newer versions. */
  examples?: readonly SchemaInput<S>[]
}

/** One event type of a catalog. */
export interface EventDefinition<T extends string = string, S extends StandardSchemaV1 = StandardSchemaV1> {
  readonly type: T
  readonly version: number
  readonly schema: S
  readonly upcast: Readonly<Record<number, Upcaster>>
  readonly description: string | undefined
  readonly persist: boolean
  readonly examples?: readonly unknown[]
}

/** The set of event types a typed bus or codec accepts. */
export interface Catalog<D extends EventDefinition = EventDefinition> {
  readonly definitions: ReadonlyMap<string, D>
  get(type: string): D | undefined
  /** Returns the validated payload; throws E_UNKNOWN_TYPE or E_VALIDATION (naming each bad field). */
  validate(type: string, data: unknown): unknown
}

// Types only: where an event map keeps the payload types `emit` takes, beside those handlers get.
declare const emitTypes: unique symbol

/**
 * Maps each type of a catalog to its payload type as handlers get it (the schema's output), and
 * carries, under a symbol key no string key can clash with, the type `emit` takes (its input).
 */
export type EventsOf<C> = C extends Catalog<infer D>
  ? { [K in D as K['type']]: SchemaOutput<K['schema']> } & { readonly [emitTypes]?: { [K in D as K['type']]: SchemaInput<K['schema']> } }
  : never

/** A catalog's envelopes as one union that narrows on `type`: what its codec decodes and a typed bus's history holds. */
export type CatalogEnvelope<C> = EnvelopeOf<EventsOf<C>>

/** The payload types `emit` takes: the schemas' inputs on a catalog's bus, else the event map itself. */
type EmitMap<E> = E extends { readonly [emitTypes]?: infer I } ? unknown extends I ? E : NonNullable<I> : E

/** The payload `emit(type)` takes. */
export type EmitInput<E, K extends Keys<E>> = EmitMap<E>[K & keyof EmitMap<E>]

/** Payload arguments of `emit` and `publish`: optional when the payload type admits undefined. */
export type EmitInputArgs<E, K extends Keys<E>> = undefined extends EmitInput<E, K>
  ? [data?: EmitInput<E, K>, options?: EmitOptions]
  : [data: EmitInput<E, K>, options?: EmitOptions]

const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)

const TYPE_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/

const isStandardSchema = (schema: unknown): schema is StandardSchemaV1 => {
  const props = (schema as Partial<StandardSchemaV1> | null | undefined)?.['~standard']
  return props?.version === 1 && typeof props.validate === 'function'
}

/** Declares an event type with its payload schema and version history. */
/* @__NO_SIDE_EFFECTS__ */
export function defineEvent<const T extends string, S extends StandardSchemaV1>(
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
  // Messages: what to do in development builds, what failed in production ones (the define drops the long text).
  if (!isStandardSchema(options.schema)) {
    throw invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production'
      ? `defineEvent("${type}"): schema must be a Standard Schema v1 (valibot, zod 4, arktype 2; wrap an Effect schema with Schema.toStandardSchemaV1(schema)); got ${options.schema === null ? 'null' : typeof options.schema}`
      : `defineEvent("${type}"): not a Standard Schema v1`)
  }
  // Valibot marks its async schemas; other libraries are caught when they return a promise.
  if ((options.schema as { async?: unknown }).async === true) {
    throw invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production'
      ? `defineEvent("${type}"): the schema is asynchronous, but emit validates synchronously: use the synchronous schema functions (v.object, not v.objectAsync) and run async checks in a handler`
      : `defineEvent("${type}"): async schema`)
  }
  const upcast = options.upcast ?? {}
  for (let from = 1; from < version; from++) {
    if (typeof upcast[from] !== 'function') {
      throw invalid(`defineEvent("${type}"): version ${version} needs an upcaster for every older version; upcast[${from}] (v${from} → v${from + 1}) is missing`)
    }
  }
  const def: EventDefinition<T, S> = { type, version, schema: options.schema, upcast, description: options.description, persist: options.persist ?? true }
  return options.examples === undefined ? def : { ...def, examples: options.examples }
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
