import type { Catalog, EmitInputArgs } from '../catalog'
import type { Envelope } from '../envelope'
import type { TidingsError } from '../errors'
import type { Store } from '../store/types'
import type {
  AnyHandler, EventMap, Handler, HandlerMap, Keys, MatchingKeys, Middleware, Pattern, SubscribeOptions, WildcardHandler,
} from '../types'
import type { Core } from './core'

export interface KernelOptions<C extends Catalog | undefined = Catalog | undefined> {
  /** Types the bus accepts; payloads are validated against it unless `validate: false`. */
  catalog?: C
  /** The envelopes' `source` (default "/tidings"). */
  source?: string
  middleware?: readonly Middleware[]
  /** The event log: the bus appends its events in batches; `ready`, `flush()` and `close()` cover it. */
  store?: Store
  /** Payload validation for typed buses (default true). */
  validate?: boolean
  /** An existing handler map, as `mitt(all)` takes. */
  all?: HandlerMap
}

/** A plugin installs itself (middleware, subscriptions…) and returns its teardown. */
export interface Plugin<E extends EventMap = EventMap> {
  install(bus: Bus<E>): (() => void) | void
}

/** The kernel: what every bus has, whatever features it was created with. */
export interface Bus<E extends EventMap = EventMap> {
  /** The handler map, as mitt's `all`. */
  readonly all: HandlerMap
  readonly source: string
  readonly catalog: Catalog | undefined
  /** Resolves once the store is open and every feature ready (dead letters reloaded, transport connected). */
  readonly ready: Promise<void>

  on(type: '*', handler: WildcardHandler<E>, options?: SubscribeOptions): () => void
  on<P extends Pattern>(type: P, handler: WildcardHandler<E, MatchingKeys<E, P>>, options?: SubscribeOptions): () => void
  on<K extends Keys<E>>(type: K, handler: Handler<E, K>, options?: SubscribeOptions): () => void

  once(type: '*', handler: WildcardHandler<E>, options?: SubscribeOptions): () => void
  once<P extends Pattern>(type: P, handler: WildcardHandler<E, MatchingKeys<E, P>>, options?: SubscribeOptions): () => void
  once<K extends Keys<E>>(type: K, handler: Handler<E, K>, options?: SubscribeOptions): () => void

  /** Removes one handler, or every handler of the type when none is given (mitt semantics). */
  off(type: '*' | Pattern | Keys<E>, handler?: AnyHandler): void

  /** Dispatches synchronously, in registration order; returns the dispatched envelope. Takes the schema's input type. */
  emit<K extends Keys<E>>(type: K, ...args: EmitInputArgs<E, K>): Envelope<K, E[K]>

  /** Adds a middleware or installs a plugin; returns the function that removes it. */
  use(extension: Middleware | Plugin<E> | Plugin): () => void
  /**
   * What the bus reports instead of throwing: failed handlers (without deadLetters()), storage
   * failures, overflows. While no listener listens, the bus writes them to the console; a
   * `passive` listener (a tool that only watches, such as devtools) leaves that as it is.
   */
  onError(listener: (error: TidingsError) => void, options?: { passive?: boolean }): () => void
  /** Resolves when everything emitted so far is durable; rejects with E_NOT_DURABLE when something could not be. */
  flush(): Promise<void>
  /** Gives up on pending retries (to the dead-letter queue), flushes, closes the features and the store. */
  close(): Promise<void>
}

/**
 * The API a feature adds, as a function of the bus's event map: `api` may use `this['events']`,
 * which `ApiOf` fills in (how a generic API is declared once and typed per bus).
 */
export interface FeatureApi {
  readonly events: unknown
  readonly api: object
}

/** The event map a feature API is applied to, inside its `api` (`Publish<EventsIn<this>>`). */
export type EventsIn<A extends FeatureApi> = A['events'] extends infer E extends EventMap ? E : EventMap

/** What feature API `A` is on a bus of events `E`. */
export type ApiOf<A extends FeatureApi, E extends EventMap> = (A & { readonly events: E })['api']

declare const apiType: unique symbol
declare const needsType: unique symbol

/**
 * A feature, made with `defineFeature()`: the kernel calls it once, when the bus is created.
 * Its type says which API it adds (`A`) and which other API it needs on the same bus (`Needs`,
 * a key of that API such as `'dlq'`), so that a missing one is a compile error.
 */
export interface Feature<A extends FeatureApi = FeatureApi, Needs extends string = never> {
  (core: Core): void
  /** Types only. */
  readonly [apiType]?: A
  /** Types only. */
  readonly [needsType]?: Needs
}

/** Any feature, whatever it needs. */
export type AnyFeature = Feature<FeatureApi, string>

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never

/** The APIs the features `F` add to a bus of events `E`. */
export type FeaturesApi<F extends readonly AnyFeature[], E extends EventMap> = UnionToIntersection<
  F[number] extends infer X ? (X extends Feature<infer A, string> ? ApiOf<A, E> : never) : never
>

/**
 * The argument list with each feature whose needs are unmet replaced by a message saying what to add.
 * `Has` is computed outside the mapped type: there, TypeScript reads `F` of a rest element
 * (`...(t ? [transport(t)] : [])`) as that rest array alone, without the features before it.
 */
export type CheckedFeatures<F extends readonly AnyFeature[], Has = keyof FeaturesApi<F, EventMap>> = {
  [I in keyof F]: F[I] extends Feature<FeatureApi, infer N>
    ? [N] extends [never] ? F[I] : string extends N ? F[I] : N extends Has ? F[I]
      : { missing: `this feature needs the feature that adds bus.${N}: pass it to createBus() too` }
    : F[I]
}

/** A bus of events `E` with the APIs of features `F`. */
export type BusWith<E extends EventMap, F extends readonly AnyFeature[]> = Bus<E> & FeaturesApi<F, E>
