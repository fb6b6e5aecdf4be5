import type { Catalog, EventsOf } from '../catalog'
import { now } from '../clock'
import { context } from '../context'
import { asTidingsError } from '../error-info'
import { idPrefix } from '../envelope'
import type { EmitOptions, Envelope } from '../envelope'
import { TidingsError } from '../errors'
import type { AnyHandler, EventMap, HandlerMap, Middleware, SubscribeOptions } from '../types'
import { added } from './added'
import { STORE_LOG } from './core'
import type { Core } from './core'
import { createDispatcher } from './dispatch'
import { BusEnvelope, attributesOf, fromNext } from './envelope'
import { createRegistry } from './registry'
import { Slot } from './slot'
import type { AnyFeature, BusWith, CheckedFeatures, KernelOptions, Plugin } from './types'

// Compact on purpose (the emit-only bundle): the characters RFC 3986 allows in a URI-reference.
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/
// Untyped buses may see unbounded type names: past this many, slots are made per emit, not kept.
const MAX_SLOTS = 5000
// Past 2^30 the counter would stop being a small integer (and allocate): ids get a new prefix.
const MAX_SEQ = 0x40000000
const noop = () => {}
const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)
// Messages: what to do instead in development builds, what failed in production ones (each
// ternary written out, so that the production define drops the long text; guarded for browsers without process).
const closedError = () => new TidingsError('E_CLOSED', typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? 'This bus is closed: create a new bus with createBus()' : 'closed')

/** Creates a typed bus from a catalog, with the APIs of the features passed after the options. */
export function createBus<const C extends Catalog, const F extends readonly AnyFeature[] = []>(
  options: KernelOptions<C> & { catalog: C }, ...features: F & CheckedFeatures<F>
): BusWith<EventsOf<C>, F>
/** Creates an untyped bus (or one typed by an explicit event map), which behaves like mitt. */
export function createBus<E extends EventMap = EventMap, const F extends readonly AnyFeature[] = []>(
  options?: KernelOptions, ...features: F & CheckedFeatures<F>
): BusWith<E, F>
/* @__NO_SIDE_EFFECTS__ */
export function createBus(options: KernelOptions = {}, ...features: AnyFeature[]): BusWith<EventMap, []> {
  const all: HandlerMap = options.all ?? new Map()
  const source = options.source ?? '/tidings'
  if (typeof source !== 'string' || !URI_REFERENCE.test(source)) {
    throw invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `createBus(): source must be a non-empty URI-reference such as "/shop" or "https://example.com/shop"; got ${JSON.stringify(source)}` : 'source')
  }
  const { catalog, store } = options
  const slots = new Map<string, Slot>()
  const errorListeners = new Set<(error: TidingsError) => void>()
  // Listeners that take over from the console; passive ones (devtools) only watch.
  let activeListeners = 0
  const middlewares: Middleware[] = []
  let prefix = idPrefix()
  let seq = 0
  let lastType: string | undefined
  let lastSlot: Slot | undefined
  let chain: ((e: Envelope) => void) | undefined
  let dispatched: BusEnvelope | undefined
  let closing: Promise<void> | undefined

  const slotOf = (type: string): Slot => {
    if (type === lastType) return lastSlot!
    let slot = slots.get(type)
    if (slot === undefined) {
      // Checked once per type: a '*' in an emitted type would reach pattern handlers with the wrong arguments.
      if (typeof type === 'string' && type.includes('*')) throw invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `emit("${type}"): an event type cannot contain "*" (patterns are for subscribing)` : `emit("${type}")`)
      const def = catalog?.get(type)
      slot = new Slot(type, def?.version ?? 1, source, prefix, def?.persist ?? true)
      k.made?.(slot)
      if (slots.size >= MAX_SLOTS) return slot
      slots.set(type, slot)
    }
    lastType = type
    lastSlot = slot
    return slot
  }

  /** The hot path. */
  const emit = (type: string, data?: unknown, o?: EmitOptions): Envelope => {
    if (k.closed) throw closedError()
    if (seq === MAX_SEQ) {
      prefix = idPrefix()
      seq = 0
      slots.clear()
      lastType = undefined
    }
    const slot = type === lastType ? lastSlot! : slotOf(type)
    const cause = context.active
    let env: BusEnvelope
    if (o === undefined) env = new BusEnvelope(slot, data, now(), ++seq, cause, undefined)
    else {
      const [ms, attributes] = attributesOf(type, o, cause)
      env = new BusEnvelope(slot, data, ms, ++seq, cause, attributes)
    }
    if (chain === undefined) {
      k.sink(env, slot)
      return env
    }
    dispatched = undefined
    try {
      chain(env)
    } catch (error) {
      throw asTidingsError(error, 'E_MIDDLEWARE', `A middleware threw while handling "${type}"`)
    }
    return dispatched ?? env
  }

  const rebuildChain = () => {
    chain = middlewares.length === 0 ? undefined : middlewares.reduceRight<(e: Envelope) => void>((next, mw) => (e) => mw(e, next), (e) => {
      const env = fromNext(e, slotOf)
      k.sink(env, env._s)
      // Set after dispatch: emits nested in handlers must not overwrite the outer result.
      dispatched = env
    })
  }

  // Called from every failure path, so it never throws: a listener's own throw is logged, not reported again.
  const report = (error: TidingsError) => {
    k.errors++
    try {
      if (activeListeners === 0) console.error(error)
    } catch {
      // A console that throws has nowhere else to go.
    }
    for (const listener of errorListeners) {
      try {
        listener(error)
      } catch (thrown) {
        try {
          console.error(asTidingsError(thrown, 'E_INVALID_ARGUMENT', 'A bus.onError listener threw'), error)
        } catch {
          // As above.
        }
      }
    }
  }

  const subscribe = (key: string, fn: AnyHandler, options: SubscribeOptions | undefined, once: boolean) => {
    if (k.closed) throw closedError()
    return k.registry.subscribe(key, fn, options, once)
  }

  const bus = {
    all,
    source,
    catalog,
    ready: Promise.resolve(),
    on: (key: string, fn: AnyHandler, options?: SubscribeOptions) => subscribe(key, fn, options, false),
    once: (key: string, fn: AnyHandler, options?: SubscribeOptions) => subscribe(key, fn, options, true),
    off: (key: string, fn?: AnyHandler) => k.registry.off(key, fn),
    emit,
    use(extension: Middleware | Plugin) {
      if (typeof extension === 'function') return added(middlewares, extension, rebuildChain)
      if (extension === null || typeof extension !== 'object' || typeof extension.install !== 'function') {
        throw invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? 'bus.use() takes a middleware (envelope, next) => void or a plugin { install(bus) }' : 'use()')
      }
      const teardown = extension.install(bus as never)
      let removed = false
      return () => {
        if (!removed && teardown) teardown()
        removed = true
      }
    },
    onError(listener: (error: TidingsError) => void, options?: { passive?: boolean }) {
      // A listener added twice is one listener: it must not count, or uncount, twice.
      if (errorListeners.has(listener)) return noop
      const counts = options?.passive !== true
      errorListeners.add(listener)
      if (counts) activeListeners++
      let listening = true
      return () => {
        if (!listening) return
        listening = false
        errorListeners.delete(listener)
        if (counts) activeListeners--
      }
    },
    async flush() {
      await k.flush?.()
    },
    close() {
      return (closing ??= (async () => {
        k.closed = true
        await k.close?.()
      })())
    },
  }

  const k = {
    bus, all, source, catalog, store, registry: createRegistry(all), closed: false, errors: 0, report, slot: slotOf,
  } as Core
  Object.assign(k, createDispatcher(k))
  k.sink = k.dispatchHere
  for (const feature of features) feature(k)
  if (store !== undefined) {
    const attach = (store as Partial<Record<typeof STORE_LOG, AnyFeature>>)[STORE_LOG]
    if (typeof attach !== 'function') {
      throw invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? 'createBus(): this store was not made with defineStore(): wrap your own store implementation as defineStore(store) so that the bus can keep its log in it' : 'store')
    }
    attach(k)
  }
  k.start?.()
  if (catalog !== undefined && options.validate !== false) middlewares.push((envelope, next) => {
    const data = catalog.validate(envelope.type, envelope.data)
    // The schema's output (defaults filled in, transforms applied) is what handlers, stores and
    // transports get. Validation runs first, so `envelope` is the one emit made: same id and time.
    if (data === envelope.data || !(envelope instanceof BusEnvelope)) next(envelope)
    else next(new BusEnvelope(envelope._s, data, envelope._ms, envelope._n, envelope._c, envelope._a))
  })
  if (options.middleware) middlewares.push(...options.middleware)
  rebuildChain()
  return bus as never
}
