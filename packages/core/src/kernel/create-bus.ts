import type { Catalog, EventsOf } from '../catalog'
import { now } from '../clock'
import { context } from '../context'
import { createDurability } from '../durability'
import { checkEncodable } from '../encodable'
import { asTidingsError } from '../error-info'
import { idPrefix } from '../envelope'
import type { EmitOptions, Envelope } from '../envelope'
import { TidingsError } from '../errors'
import type { AnyHandler, EventMap, HandlerMap, Middleware, SubscribeOptions } from '../types'
import { Delivery, SPECIFIC } from './delivery'
import type { Outcome, Tracker } from './delivery'
import { createDispatcher } from './dispatch'
import type { Hooks } from './dispatch'
import { BusEnvelope, attributesOf, fromNext } from './envelope'
import type { Dispatch, Kernel, Parts } from './feature'
import { createLog } from './log'
import { createRegistry } from './registry'
import { Slot } from './slot'
import type { AnyFeature, BusWith, CheckedFeatures, KernelOptions, Plugin } from './types'

type Record_ = NonNullable<Parts['record']>
type Step = (a: unknown, b: unknown, c: unknown, d: unknown) => void

// Compact on purpose (the emit-only bundle): the characters RFC 3986 allows in a URI-reference.
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/
// Untyped buses may see unbounded type names: past this many, slots are made per emit, not kept.
const MAX_SLOTS = 5000
// Past 2^30 the counter would stop being a small integer (and allocate): ids get a new prefix.
const MAX_SEQ = 0x40000000
const CLOSE_GRACE_MS = 5000
const noop = () => {}
const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)
// Messages: what to do instead in development builds, what failed in production ones (each
// ternary written out, so that the production define drops the long text; guarded for browsers without process).
const closedError = () => new TidingsError('E_CLOSED', typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? 'This bus is closed: create a new bus with createBus()' : 'closed')
const UNNAMED: Tracker = { unnamedOnly: true }

/** The one feature that provides `part`: a second one is a mistake to point out, not to pick from. */
const one = <T>(current: T | undefined, part: T, name: string): T => {
  if (current !== undefined) {
    throw invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `createBus(): ${name} was passed twice (standard() includes every feature but transport): pass its options once, e.g. standard({ retry: { attempts: 5 } })` : `${name} twice`)
  }
  return part
}

/** Adds `item` to `list`; returns what removes it again (once), each followed by `changed()`. */
const added = <T>(list: T[], item: T, changed: () => void): (() => void) => {
  list.push(item)
  changed()
  return () => {
    const i = list.indexOf(item)
    if (i >= 0) list.splice(i, 1)
    changed()
  }
}

/**
 * One function calling every step of an outcome or phase, or none at all. Fixed parameters, not
 * rest ones: this runs on every emit, and a rest array would be allocated each time.
 */
const fold = <F>(fns: Array<F | undefined>): F => {
  const list = fns.filter((f) => f !== undefined) as unknown as Step[]
  if (list.length <= 1) return (list[0] ?? noop) as unknown as F
  const every: Step = (a, b, c, d) => {
    for (let i = 0; i < list.length; i++) list[i]!(a, b, c, d)
  }
  return every as unknown as F
}

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
  const validating = catalog !== undefined && options.validate !== false
  const registry = createRegistry(all)
  const durability = createDurability()
  const slots = new Map<string, Slot>()
  const writes = new Set<Promise<unknown>>()
  const errorListeners = new Set<(error: TidingsError) => void>()
  // Listeners that take over from the console; passive ones (devtools) only watch.
  let activeListeners = 0
  const middlewares: Middleware[] = []
  const parts: Parts[] = []
  const patches: Parts[] = []

  const gauges: Record<string, () => number> = { errors: () => errors }
  let errors = 0
  let prefix = idPrefix()
  let seq = 0
  let states = 0
  let lastType: string | undefined
  let lastSlot: Slot | undefined
  let closed = false
  let closing: Promise<void> | undefined
  let chain: ((e: Envelope) => void) | undefined
  let dispatched: BusEnvelope | undefined
  let route: Parts['route']
  const hooks: Hooks = { delivered: noop, failed: noop, gaveUp: noop, retry: undefined, keep: undefined }
  let sink: (env: Envelope, slot: Slot) => unknown
  let record: Record_ = noop
  let dispatch: Dispatch

  const slotOf = (type: string): Slot => {
    if (type === lastType) return lastSlot!
    let slot = slots.get(type)
    if (slot === undefined) {
      // Checked once per type: a '*' in an emitted type would reach pattern handlers with the wrong arguments.
      if (typeof type === 'string' && type.includes('*')) throw invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `emit("${type}"): an event type cannot contain "*" (patterns are for subscribing)` : `emit("${type}")`)
      const def = catalog?.get(type)
      const persist = def?.persist ?? true
      const routed = route !== undefined && route.carries(type)
      slot = new Slot(type, def?.version ?? 1, source, prefix, persist, routed, validating || routed || (store !== undefined && persist))
      if (slots.size >= MAX_SLOTS) return slot
      slots.set(type, slot)
    }
    lastType = type
    lastSlot = slot
    return slot
  }

  /** The hot path. */
  const emit = (type: string, data?: unknown, o?: EmitOptions): Envelope => {
    if (closed) throw closedError()
    if (seq === MAX_SEQ) rotate()
    const slot = type === lastType ? lastSlot! : slotOf(type)
    const cause = context.active
    let env: BusEnvelope
    if (o === undefined) env = new BusEnvelope(slot, data, now(), ++seq, cause, undefined)
    else {
      const [ms, attributes] = attributesOf(type, o, cause)
      env = new BusEnvelope(slot, data, ms, ++seq, cause, attributes)
    }
    if (chain === undefined) {
      sink(env, slot)
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

  const { dispatchHere, tryAgain, giveUp } = createDispatcher(all, registry, hooks, () => closed, (error) => report(error))

  const rotate = () => {
    prefix = idPrefix()
    seq = 0
    slots.clear()
    lastType = undefined
  }

  const compose = () => {
    const active = patches.length === 0 ? parts : [...parts, ...patches]
    hooks.delivered = fold(active.map((p) => p.delivered))
    hooks.failed = fold(active.map((p) => p.failed))
    hooks.gaveUp = fold(active.map((p) => p.gaveUp))
    let next: Dispatch = dispatchHere
    for (const p of active) if (p.dispatch) next = p.dispatch(next)
    dispatch = next
    const records = active.map((p) => p.record)
    if (log !== undefined) records.unshift((env, slot) => slot.persist && log.append(env))
    record = fold(records)
    const routeTo = route
    const onward = routeTo === undefined ? next : (env: Envelope, slot: Slot) => (slot.routed ? routeTo.publish(env) : next(env, slot))
    sink = !validating && store === undefined && routeTo === undefined && record === noop ? onward : (env, slot) => {
      if (slot.strict) checkEncodable(env)
      record(env, slot, false)
      onward(env, slot)
    }
  }

  const rebuildChain = () => {
    chain = middlewares.length === 0 ? undefined : middlewares.reduceRight<(e: Envelope) => void>((next, mw) => (e) => mw(e, next), (e) => {
      const env = fromNext(e, slotOf)
      sink(env, env._s)
      // Set after dispatch: emits nested in handlers must not overwrite the outer result.
      dispatched = env
    })
  }

  // Called from every failure path, so it never throws: a listener's own throw is logged, not reported again.
  const report = (error: TidingsError) => {
    errors++
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

  const track = <T>(write: Promise<T>): Promise<T> => {
    writes.add(write)
    const done = () => void writes.delete(write)
    write.then(done, done)
    return write
  }

  const log = store === undefined ? undefined : createLog(store, track, report, durability.lost)

  const settle = async () => {
    log?.flush()
    // Settled, not all fulfilled: each failed write was reported and counted by its own catch.
    while (writes.size) await Promise.allSettled(writes)
  }

  const flush = async () => {
    await settle()
    for (const p of parts) await p.flush?.()
    await store?.flush()
    const lost = durability.take()
    if (lost !== undefined) throw lost
  }

  const subscribe = (key: string, fn: AnyHandler, options: SubscribeOptions | undefined, once: boolean) => {
    if (closed) throw closedError()
    return registry.subscribe(key, fn, options, once)
  }

  const bus = {
    all,
    source,
    catalog,
    ready: Promise.resolve(),
    on: (key: string, fn: AnyHandler, options?: SubscribeOptions) => subscribe(key, fn, options, false),
    once: (key: string, fn: AnyHandler, options?: SubscribeOptions) => subscribe(key, fn, options, true),
    off: registry.off,
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
    flush,
    close() {
      return (closing ??= (async () => {
        closed = true
        for (const p of parts) p.closing?.()
        // A store stuck retrying (a full disk) must not hang close(): after a grace period its own
        // close() makes a last attempt and rejects with what went wrong.
        // A flush that finds a loss still closes everything, then rejects with it.
        let timer: ReturnType<typeof setTimeout> | undefined
        let failure: { error: unknown } | undefined
        await Promise.race([flush(), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))])
          .catch((error: unknown) => void (failure = { error }))
          .finally(() => clearTimeout(timer))
        for (const p of parts) await p.close?.()
        await store?.close()
        if (failure !== undefined) throw failure.error
      })())
    },
  }

  const kernel: Kernel = {
    bus: bus as never,
    source,
    catalog,
    store,
    all,
    get closed() {
      return closed
    },
    named: registry.named,
    report,
    track,
    lost: durability.lost,
    slot: slotOf,
    slotState: () => states++,
    patternsOf: registry.patternsOf,
    kindOf: (h, type) => registry.kindOf(h, slotOf(type)),
    onNamedChange: registry.onNamedChange,
    policyOf: (h) => hooks.retry?.policyOf(h),
    gauge: (name) => gauges[name]?.() ?? 0,
    settle,
    republish(entry) {
      const slot = slotOf(entry.envelope.type)
      return slot.routed ? route!.republish(entry) : undefined
    },
    deliverOnce: (h, kind, env, tries, willRetry) => new Promise<void>((resolve, reject) => {
      const done = (_d: Delivery, error: unknown, outcome: Outcome) => (outcome === 'delivered' ? resolve() : reject(error))
      const d = new Delivery(h, kind, env, slotOf(env.type), { once: true, willRetry, done })
      d.attempt = tries
      tryAgain(d)
    }),
    again(d) {
      d.attempt++
      tryAgain(d)
    },
    giveUp,
    arrive(env, own) {
      const slot = slotOf(env.type)
      if (!own) record(env, slot, true)
      dispatch(env, slot, UNNAMED)
    },
    deadLetter(env, subscription, attempts, error) {
      if (hooks.keep === undefined) return Promise.reject(invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? 'No feature keeps dead letters on this bus: create it with deadLetters()' : 'no deadLetters()'))
      const d = new Delivery(noop, SPECIFIC, env, slotOf(env.type), undefined, subscription)
      d.attempt = attempts
      const written = hooks.keep(env, subscription, attempts, 0, error, undefined)
      hooks.gaveUp(d, error, 'dead-lettered')
      return written
    },
    patch: (p) => added(patches, p, compose),
  }

  for (const feature of features) parts.push(...[feature(kernel)].flat())
  for (const p of parts) {
    if (p.route) route = one(route, p.route, 'transport()')
    if (p.retry) hooks.retry = one(hooks.retry, p.retry, 'retry()')
    if (p.deadLetter) hooks.keep = one(hooks.keep, p.deadLetter, 'deadLetters()')
    if (p.api) Object.assign(bus, p.api)
    Object.assign(gauges, p.gauges)
  }
  compose()
  for (const p of parts) p.start?.()
  if (validating) middlewares.push((envelope, next) => {
    catalog.validate(envelope.type, envelope.data)
    next(envelope)
  })
  if (options.middleware) middlewares.push(...options.middleware)
  rebuildChain()

  store?.onError?.(report)
  const waits = parts.flatMap((p) => (p.ready === undefined ? [] : [p.ready]))
  if (store !== undefined) waits.unshift(store.ready)
  if (waits.length) {
    bus.ready = Promise.all(waits).then(noop)
    bus.ready.catch((error: unknown) => report(asTidingsError(error, 'E_STORAGE', 'The store did not open')))
  }
  return bus as never
}
