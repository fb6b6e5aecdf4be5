import mitt from 'mitt'
import type { Catalog, EventsOf } from './catalog'
import { now } from './clock'
import { context } from './context'
import { createDeadLetters } from './dlq'
import { createDurability } from './durability'
import { checkEncodable } from './encodable'
import { asTidingsError, errorInfo } from './error-info'
import { createErrorListeners } from './error-listeners'
import { TidingsEnvelope, idPrefix, toEnvelope, traceOf } from './envelope'
import type { EmitOptions, Envelope } from './envelope'
import { TidingsError, isTidingsError } from './errors'
import { HistoryRing, historyFilter } from './history'
import type { HistoryQuery, StatsQuery } from './history'
import { createMetrics } from './metrics'
import type { TypeStats } from './metrics'
import { compilePattern, isPattern } from './patterns'
import { ReportCollector } from './report'
import { backoffDelay, resolveRetry, willRetry } from './retry'
import type { ResolvedRetry } from './retry'
import type { DeadLetterEntry, ErrorInfo } from './store/types'
import type { TransportHost } from './transport'
import { createWaiters } from './waiters'
import type {
  AnyHandler, Bus, BusOptions, EventMap, HandlerMap, Middleware, Observation, Plugin, SubscribeOptions, WaitForOptions,
} from './types'

/** How handlers are called: `(data, envelope)` for one type, `(type, data, envelope)` for `'*'` and patterns. */
const SPECIFIC = 0
const WILDCARD = 1
type Kind = typeof SPECIFIC | typeof WILDCARD

type Callable = (a: unknown, b: unknown, c?: unknown) => unknown

/** A subscription made with options or `once`: the map holds this wrapper, which knows the user's function. */
interface Subscription {
  readonly fn: AnyHandler
  readonly key: string
  readonly name: string | undefined
  readonly retry: ResolvedRetry | undefined
  readonly once: boolean
  readonly signal: AbortSignal | undefined
  abort: (() => void) | undefined
}
type Wrapped = AnyHandler & { sub?: Subscription }

/** Per-type state found with one Map lookup per emit. */
class TypeSlot {
  /** Pattern keys that match this type, valid while `patternsVersion` is current. */
  matches: string[] = []
  patternsVersion = -1
  constructor(
    readonly stats: TypeStats, readonly version: number, readonly persist: boolean, readonly remote: boolean,
    /** Bound for a store or a transport (or validated): refused at emit if JSON cannot carry it. */
    readonly strict: boolean,
  ) {}
}

/** One subscription's delivery of one event, once it needs tracking (measured, async, failed or retried). */
class Delivery {
  attempt = 1
  /** performance.now() at the start of the current try; 0 while unmeasured. */
  start = 0
  firstStart = 0
  firstFailedAt = 0
  timer: ReturnType<typeof setTimeout> | undefined = undefined
  error: unknown = undefined
  constructor(
    readonly handler: Wrapped, readonly kind: Kind, readonly env: TidingsEnvelope, readonly stats: TypeStats,
    readonly report: ReportCollector | undefined,
  ) {}
}

const EXTENSION_RE = /^[a-z0-9]{1,20}$/
// Compact on purpose (the emit path's bundle size): the characters RFC 3986 allows, and RFC 3339's shape.
const URI_REFERENCE_RE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/
const RFC3339_RE = /^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)$/
const RESERVED = new Set(['specversion', 'id', 'source', 'type', 'time', 'dataversion', 'data', 'datacontenttype', 'dataschema', 'subject', 'correlationid', 'causationid'])
const MAX_SLOTS = 5000
const NONE: readonly string[] = []
const CLOSE_GRACE_MS = 5000

const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)
const closedError = () => new TidingsError('E_CLOSED', 'This bus is closed: create a new bus with createBus()')
const nameOf = (h: Wrapped): string => {
  if (h.sub?.name !== undefined) return h.sub.name
  try {
    const name: unknown = (h.sub?.fn ?? h).name
    return typeof name === 'string' && name !== '' ? name : 'anonymous'
  } catch {
    return 'anonymous'
  }
}
const noop = () => {}

const checkPattern = (key: string) => {
  for (const seg of key.split('.')) {
    if (seg === '' || (seg.includes('*') && seg !== '*' && seg !== '**')) {
      throw invalid(`"${key}" is not a valid pattern: "*" matches one dot-separated segment and "**" one or more, each as a whole segment (e.g. "order.*")`)
    }
  }
}

/** Creates a typed bus from a catalog: payloads are validated and handlers typed from its schemas. */
export function createBus<const C extends Catalog>(options: BusOptions<C> & { catalog: C }): Bus<EventsOf<C>>
/** Creates an untyped bus (or one typed by an explicit event map), which behaves like mitt. */
export function createBus<E extends EventMap = EventMap>(options?: BusOptions): Bus<E>
export function createBus(options: BusOptions<Catalog | undefined> = {}): Bus<EventMap> {
  const all: HandlerMap = options.all ?? new Map()
  const registry = mitt<Record<string, unknown>>(all as never)
  const source = options.source ?? '/tidings'
  if (typeof source !== 'string' || !URI_REFERENCE_RE.test(source)) {
    throw invalid(`createBus(): source must be a non-empty URI-reference such as "/shop" or "https://example.com/shop"; got ${JSON.stringify(source)}`)
  }
  const catalog = options.catalog
  const store = options.store
  const transport = options.transport
  const namedListeners = new Set<() => void>()
  const baseRetry = resolveRetry(options.retry)
  let prefix = idPrefix()
  const metrics = createMetrics()
  const historySize = options.history ?? 1000
  const ring = historySize > 0 ? new HistoryRing(historySize) : undefined
  const slots = new Map<string, TypeSlot>()
  const patterns = new Map<string, RegExp>()
  const named = new Map<string, Wrapped>()
  const retrying = new Set<Delivery>()
  const observers = new Set<(observation: Observation) => void>()
  const writes = new Set<Promise<unknown>>()
  const middlewares: Middleware[] = []
  const durability = createDurability()
  const validating = catalog !== undefined && options.validate !== false

  let seq = 0
  let dlqSeq = 0
  let lastTickMs = -1
  let emittedTotal = 0
  let lastType: string | undefined
  let lastSlot: TypeSlot | undefined
  let patternsVersion = 0
  let closed = false
  let closing: Promise<void> | undefined
  let chain: ((e: Envelope) => void) | undefined
  let dispatched: TidingsEnvelope | undefined
  let pendingReport: ReportCollector | undefined
  let logBatch: TidingsEnvelope[] = []

  const errorListeners = createErrorListeners()
  const report = errorListeners.report

  const track = <T>(write: Promise<T>): Promise<T> => {
    writes.add(write)
    const done = () => void writes.delete(write)
    write.then(done, done)
    return write
  }

  const slotFor = (type: string): TypeSlot => {
    if (type === lastType) return lastSlot!
    let slot = slots.get(type)
    if (slot === undefined) {
      // Checked once per type: a '*' in an emitted type would reach pattern handlers with the wrong arguments.
      if (typeof type === 'string' && type.includes('*')) throw invalid(`emit("${type}"): an event type cannot contain "*" (patterns are for subscribing)`)
      const def = catalog?.get(type)
      const persist = def?.persist ?? true
      const remote = transport !== undefined && (transport.carries?.(type) ?? true)
      slot = new TypeSlot(metrics.statsFor(type), def?.version ?? 1, persist, remote, validating || remote || (store !== undefined && persist))
      // Untyped buses may see unbounded type names: past the cap, slots are not cached.
      if (slots.size >= MAX_SLOTS) return slot
      slots.set(type, slot)
    }
    lastType = type
    lastSlot = slot
    return slot
  }

  const matchesOf = (slot: TypeSlot, type: string): string[] => {
    if (slot.patternsVersion !== patternsVersion) {
      slot.matches = []
      for (const [key, re] of patterns) if (re.test(type)) slot.matches.push(key)
      slot.patternsVersion = patternsVersion
    }
    return slot.matches
  }

  const flushLog = () => {
    if (logBatch.length === 0) return
    const batch = logBatch
    logBatch = []
    let append: Promise<void>
    try {
      append = store!.append(batch)
    } catch (error) {
      append = Promise.reject(error)
    }
    track(append).catch((error: unknown) => appendFailed(batch, error))
  }

  /**
   * A store refuses unencodable events alone (E_ENCODE, details.refused) and writes the rest:
   * one error is reported per refused event; any other failure loses the whole batch.
   */
  const appendFailed = (batch: TidingsEnvelope[], error: unknown) => {
    const refused = isTidingsError(error, 'E_ENCODE') ? error.details?.refused : undefined
    if (!Array.isArray(refused)) {
      const failure = new TidingsError('E_STORAGE', `Could not append ${batch.length} events to the store's log: ${errorInfo(error).message}`, { cause: error, details: { count: batch.length } })
      durability.lost(batch.length, failure)
      return report(failure)
    }
    for (const r of refused as Array<{ id?: unknown; type?: unknown; code?: unknown; message?: unknown }>) {
      const failure = new TidingsError('E_ENCODE', `Event ${String(r.id)} ("${String(r.type)}") could not be stored: ${String(r.message)}`, {
        cause: error, details: { id: r.id, type: r.type, code: r.code, message: r.message },
      })
      durability.lost(1, failure)
      report(failure)
    }
  }

  const deadLetters = createDeadLetters({
    store,
    report,
    track,
    lost: (error) => durability.lost(1, error),
    max: options.maxDeadLetters ?? 10_000,
    redeliver: (entry, handler) => redeliver(entry, handler),
  })

  const notify = (observation: Observation) => {
    for (const observer of observers) {
      try {
        observer(observation)
      } catch (error) {
        report(asTidingsError(error, 'E_INVALID_ARGUMENT', 'A bus observer threw'))
      }
    }
  }

  const outcome = (d: Delivery, kind: 'delivered' | 'failed' | 'dead-lettered', durationMs: number, error?: ErrorInfo, again?: boolean) => {
    notify({ kind, envelope: d.env, subscription: nameOf(d.handler), attempt: d.attempt, durationMs, error, willRetry: again })
  }

  /** Writes a dead letter; `handler` is kept in memory so that an in-process retry reaches it again. */
  const writeDeadLetter = (env: TidingsEnvelope, subscription: string, attempts: number, firstFailedAt: number, error: unknown, handler: AnyHandler | undefined): [DeadLetterEntry, Promise<void>] => {
    const failedAt = Date.now()
    const entry: DeadLetterEntry = {
      id: `${prefix}d${(++dlqSeq).toString(36)}`,
      envelope: env,
      subscription,
      attempts,
      firstFailedAt: new Date(firstFailedAt || failedAt).toISOString(),
      lastFailedAt: new Date(failedAt).toISOString(),
      error: errorInfo(error),
    }
    return [entry, deadLetters.add(entry, handler)]
  }

  const deadLetter = (d: Delivery, error: unknown) => {
    d.stats.deadLettered++
    const [entry] = writeDeadLetter(d.env, nameOf(d.handler), d.attempt, d.firstFailedAt, error, d.handler)
    if (observers.size) outcome(d, 'dead-lettered', 0, entry.error)
    d.report?.finish({ subscription: entry.subscription, status: 'dead-lettered', attempts: d.attempt, durationMs: performance.now() - d.firstStart, error: entry.error })
  }

  const fail = (d: Delivery, error: unknown) => {
    d.stats.failed++
    d.firstFailedAt ||= Date.now()
    const policy = d.handler.sub?.retry ?? baseRetry
    const again = !closed && willRetry(policy, error, d.attempt, shouldRetryThrew)
    if (observers.size) outcome(d, 'failed', performance.now() - d.start, errorInfo(error), again)
    if (!again) return deadLetter(d, error)
    d.stats.retried++
    d.error = error
    retrying.add(d)
    d.timer = setTimeout(() => {
      retrying.delete(d)
      d.attempt++
      attempt(d)
    }, backoffDelay(policy, d.attempt))
  }

  const shouldRetryThrew = (thrown: unknown) => report(asTidingsError(thrown, 'E_INVALID_ARGUMENT', 'A retry policy\'s shouldRetry() threw, so the delivery was dead-lettered'))

  const succeed = (d: Delivery) => {
    d.stats.delivered++
    if (d.start === 0) return
    const end = performance.now()
    d.stats.record(end - d.start)
    if (observers.size) outcome(d, 'delivered', end - d.start)
    d.report?.finish({ subscription: nameOf(d.handler), status: 'delivered', attempts: d.attempt, durationMs: end - d.firstStart })
  }

  /** Failure or async result of an unmeasured first try: only now is a Delivery allocated. */
  const settleFast = (h: Wrapped, kind: Kind, env: TidingsEnvelope, stats: TypeStats, result: PromiseLike<unknown>) => {
    const d = new Delivery(h, kind, env, stats, undefined)
    settleResult(result, () => succeed(d), (error: unknown) => fail(d, error))
  }
  const failFast = (h: Wrapped, kind: Kind, env: TidingsEnvelope, stats: TypeStats, error: unknown) =>
    fail(new Delivery(h, kind, env, stats, undefined), error)

  /**
   * The hot path: every handler's first try, unmeasured. Allocates nothing unless a handler fails
   * or returns a promise; counts deliveries once per list.
   */
  const fastSpecificAll = (list: Wrapped[] | undefined, env: TidingsEnvelope, stats: TypeStats) => {
    if (list === undefined) return
    const n = list.length
    if (n === 0) return
    // mitt semantics: handlers added or removed while dispatching do not change this dispatch.
    const handlers = n === 1 ? list : list.slice()
    const data = env.data
    let delivered = 0
    for (let i = 0; i < n; i++) {
      const h = handlers[i]!
      let result: unknown
      try {
        result = (h as Callable)(data, env)
      } catch (error) {
        failFast(h, SPECIFIC, env, stats, error)
        continue
      }
      if (result !== undefined && isThenable(result)) settleFast(h, SPECIFIC, env, stats, result)
      else delivered++
    }
    stats.delivered += delivered
  }

  const fastWildcardAll = (list: Wrapped[] | undefined, env: TidingsEnvelope, stats: TypeStats) => {
    if (list === undefined) return
    const n = list.length
    if (n === 0) return
    const handlers = n === 1 ? list : list.slice()
    let delivered = 0
    for (let i = 0; i < n; i++) {
      const h = handlers[i]!
      let result: unknown
      try {
        result = (h as Callable)(env.type, env.data, env)
      } catch (error) {
        failFast(h, WILDCARD, env, stats, error)
        continue
      }
      if (result !== undefined && isThenable(result)) settleFast(h, WILDCARD, env, stats, result)
      else delivered++
    }
    stats.delivered += delivered
  }

  /** Every handler timed and tracked: for publish reports, observers, and latency samples. */
  const measuredAll = (list: Wrapped[] | undefined, kind: Kind, env: TidingsEnvelope, stats: TypeStats, rep: ReportCollector | undefined, unnamedOnly: boolean) => {
    if (list === undefined || list.length === 0) return
    for (const h of list.slice()) if (!unnamedOnly || h.sub?.name === undefined) attempt(new Delivery(h, kind, env, stats, rep))
  }

  const patternsOf = (slot: TypeSlot, type: string): readonly string[] => (patterns.size === 0 ? NONE : matchesOf(slot, type))

  /**
   * The first emit of each clock tick (every emit of a slow trickle, one per synchronous burst)
   * also counts the rate window and samples handler latency; published and observed emits are
   * always measured. A transport's broadcast (`origin` set) delivers to the unnamed subscriptions
   * only, and reports the event as emitted only if it came from another process.
   */
  const dispatchMeasured = (env: TidingsEnvelope, slot: TypeSlot, rep: ReportCollector | undefined, origin?: 'own' | 'remote') => {
    if (env._ms !== lastTickMs) {
      lastTickMs = env._ms
      metrics.tick(env._ms, emittedTotal)
    }
    const stats = slot.stats
    const unnamedOnly = origin !== undefined
    if (observers.size !== 0 && origin !== 'own') notify(origin === 'remote' ? { kind: 'emitted', envelope: env, remote: true } : { kind: 'emitted', envelope: env })
    measuredAll(all.get(env.type), SPECIFIC, env, stats, rep, unnamedOnly)
    for (const key of patternsOf(slot, env.type)) measuredAll(all.get(key), WILDCARD, env, stats, rep, unnamedOnly)
    measuredAll(all.get('*'), WILDCARD, env, stats, rep, unnamedOnly)
  }

  /** What every local emit records, dispatched here or handed to a transport. */
  const record = (env: TidingsEnvelope, slot: TypeSlot) => {
    slot.stats.emitted++
    emittedTotal++
    if (ring !== undefined) ring.push(env)
    if (store !== undefined && slot.persist) appendToLog(env)
  }

  /** After middleware: dispatched here, or published through the transport. */
  const route = (env: TidingsEnvelope, slot: TypeSlot, rep: ReportCollector | undefined) => {
    if (slot.strict) checkEncodable(env)
    record(env, slot)
    if (!slot.remote) return dispatch(env, slot, rep)
    if (observers.size !== 0) notify({ kind: 'emitted', envelope: env })
    try {
      transport!.publish(env)
    } catch (error) {
      // The contract says publish never throws; if one does, the event is lost and said to be.
      const failure = asTidingsError(error, 'E_TRANSPORT', `The transport could not take "${env.type}" ${env.id}`)
      durability.lost(1, failure)
      report(failure)
    }
  }

  const dispatch = (env: TidingsEnvelope, slot: TypeSlot, rep: ReportCollector | undefined) => {
    const prev = context.active
    context.active = env
    if (rep !== undefined || observers.size !== 0 || env._ms !== lastTickMs) dispatchMeasured(env, slot, rep)
    else {
      const stats = slot.stats
      fastSpecificAll(all.get(env.type), env, stats)
      if (patterns.size !== 0) {
        const keys = slot.patternsVersion === patternsVersion ? slot.matches : matchesOf(slot, env.type)
        for (let i = 0; i < keys.length; i++) fastWildcardAll(all.get(keys[i]!), env, stats)
      }
      fastWildcardAll(all.get('*'), env, stats)
    }
    context.active = prev
  }

  const appendToLog = (env: TidingsEnvelope) => {
    if (logBatch.push(env) === 1) queueMicrotask(flushLog)
  }

  /** A measured try (sampled, published, observed, or a retry): same envelope, causation context restored. */
  const attempt = (d: Delivery) => {
    d.start = performance.now()
    if (d.attempt === 1) {
      d.firstStart = d.start
      if (d.report !== undefined) d.report.pending++
    }
    const prev = context.active
    context.active = d.env
    let result: unknown
    try {
      result = call(d.handler, d.kind, d.env)
    } catch (error) {
      return fail(d, error)
    } finally {
      context.active = prev
    }
    if (isThenable(result)) settleResult(result, () => succeed(d), (error: unknown) => fail(d, error))
    else succeed(d)
  }

  const terminal = (e: Envelope) => {
    const env = toEnvelope(e)
    const rep = pendingReport
    pendingReport = undefined
    route(env, slotFor(env.type), rep)
    // Set after dispatch: emits nested in handlers must not overwrite the outer result.
    dispatched = env
  }

  const rebuildChain = () => {
    chain = middlewares.length === 0 ? undefined : middlewares.reduceRight<(e: Envelope) => void>((next, mw) => (e) => mw(e, next), terminal)
  }

  /** Small enough for V8 to inline into send(): the common emit has no options. */
  const create = (type: string, data: unknown, slot: TypeSlot, o: EmitOptions | undefined): TidingsEnvelope => {
    if (o !== undefined) return createWith(type, data, slot, o)
    const cause = context.active
    // Past 2^30 the counter would stop being a small integer (and allocate): start a new prefix.
    if (++seq === 0x40000000) {
      prefix = idPrefix()
      seq = 1
    }
    return cause === undefined
      ? new TidingsEnvelope(type, data, source, slot.version, now(), prefix, seq, undefined, undefined, undefined, undefined, undefined)
      : new TidingsEnvelope(type, data, source, slot.version, now(), prefix, seq, undefined, undefined, cause.correlationid ?? cause.id, cause.id, cause.extensions && traceOf(cause.extensions))
  }

  const createWith = (type: string, data: unknown, slot: TypeSlot, o: EmitOptions): TidingsEnvelope => {
    const cause = context.active
    let ms: number
    let time: string | undefined
    if (o.time === undefined) ms = now()
    else if (typeof o.time === 'number') ms = o.time
    else if (o.time instanceof Date) ms = o.time.getTime()
    else ms = RFC3339_RE.test((time = String(o.time))) ? Date.parse(time) : NaN
    if (!Number.isFinite(ms)) throw invalid(`emit("${type}"): time must be a Date, epoch milliseconds or an RFC 3339 timestamp such as 2024-05-01T10:00:00Z; got ${String(o.time)}`)
    if (o.id !== undefined && (typeof o.id !== 'string' || o.id === '')) throw invalid(`emit("${type}"): id must be a non-empty string`)
    if (o.extensions !== undefined) {
      for (const name in o.extensions) {
        if (!EXTENSION_RE.test(name) || RESERVED.has(name)) {
          throw invalid(`emit("${type}"): "${name}" is not a valid extension attribute name: use 1–20 lower-case letters or digits, not a CloudEvents attribute name`)
        }
        const value = o.extensions[name]
        if (typeof value !== 'string' && typeof value !== 'boolean' && !(Number.isInteger(value) && (value as number) >= -0x80000000 && (value as number) <= 0x7fffffff)) {
          throw invalid(`emit("${type}"): extension "${name}" must be a string, a boolean or a 32-bit integer (CloudEvents types); got ${String(value)}`)
        }
      }
    }
    const trace = cause?.extensions && traceOf(cause.extensions)
    const extensions = trace === undefined ? o.extensions : o.extensions === undefined ? trace : { ...trace, ...o.extensions }
    return new TidingsEnvelope(type, data, source, slot.version, ms, prefix, ++seq, o.id, time,
      o.correlationid ?? (cause === undefined ? undefined : cause.correlationid ?? cause.id), o.causationid ?? cause?.id, extensions)
  }

  const send = (type: string, data: unknown, o: EmitOptions | undefined, rep: ReportCollector | undefined): TidingsEnvelope => {
    if (closed) throw closedError()
    const slot = slotFor(type)
    const env = create(type, data, slot, o)
    if (chain === undefined) {
      route(env, slot, rep)
      return env
    }
    dispatched = undefined
    pendingReport = rep
    try {
      chain(env)
    } catch (error) {
      pendingReport = undefined
      throw asTidingsError(error, 'E_MIDDLEWARE', `A middleware threw while handling "${type}"`)
    }
    const out = dispatched ?? env
    if (pendingReport === rep && rep !== undefined) {
      pendingReport = undefined
      rep.seal(env, true)
    }
    return out
  }

  const remove = (key: string, h: Wrapped) => {
    const list = all.get(key)
    const i = list ? list.indexOf(h) : -1
    if (i < 0) return
    list!.splice(i, 1)
    release(h)
  }

  const release = (h: Wrapped) => {
    const sub = h.sub
    if (sub === undefined) return
    if (sub.abort) sub.signal!.removeEventListener('abort', sub.abort)
    if (sub.name !== undefined && named.get(sub.name) === h) {
      named.delete(sub.name)
      for (const listener of namedListeners) listener()
    }
  }

  const subscribe = (key: string, fn: AnyHandler, options: SubscribeOptions | undefined, once: boolean): (() => void) => {
    if (closed) throw closedError()
    if (typeof fn !== 'function') throw invalid(`on("${key}"): the handler must be a function, got ${typeof fn}`)
    if (isPattern(key) && !patterns.has(key)) {
      checkPattern(key)
      patterns.set(key, compilePattern(key))
      patternsVersion++
    }
    let h: Wrapped = fn
    if (options !== undefined || once) {
      if (options?.signal?.aborted) return noop
      const sub: Subscription = {
        fn, key, once, name: options?.name, signal: options?.signal, abort: undefined,
        retry: options?.retry && resolveRetry(options.retry, baseRetry),
      }
      const wildcard = key === '*' || isPattern(key)
      const wrapper: Wrapped = (a: never, b: never, c: never) => {
        if (once) remove(key, wrapper)
        return wildcard ? (fn as Callable)(a, b, c) : (fn as Callable)(a, b)
      }
      wrapper.sub = sub
      h = wrapper
      if (sub.name !== undefined) {
        named.set(sub.name, wrapper)
        for (const listener of namedListeners) listener()
      }
      if (sub.signal !== undefined) {
        sub.abort = () => remove(key, wrapper)
        sub.signal.addEventListener('abort', sub.abort, { once: true })
      }
    }
    registry.on(key, h as never)
    let subscribed = true
    return () => {
      // Idempotent: a second call must not remove another registration of the same function.
      if (subscribed) remove(key, h)
      subscribed = false
    }
  }

  /** How `h` is subscribed for `type` right now: as its own handler, as a pattern / '*' handler, or not at all. */
  const kindOf = (h: AnyHandler, type: string): Kind | undefined => {
    if (all.get(type)?.includes(h)) return SPECIFIC
    for (const key of [...matchesOf(slotFor(type), type), '*']) if (all.get(key)?.includes(h)) return WILDCARD
    return undefined
  }

  /** Re-delivers a dead letter: to its handler if still subscribed, else its named subscription, else the type's subscribers. */
  const redeliver = async (entry: DeadLetterEntry, handler: AnyHandler | undefined) => {
    // With a transport, the event goes back through it: the subscriptions of every instance get it as before.
    if (slotFor(entry.envelope.type).remote) return transport!.republish(entry)
    const env = toEnvelope(entry.envelope)
    const type = env.type
    const byName = named.get(entry.subscription)
    const own = handler === undefined ? undefined : kindOf(handler, type)
    const named_ = byName === undefined ? undefined : kindOf(byName, type)
    let targets: Array<[Wrapped, Kind]>
    if (own !== undefined) targets = [[handler!, own]]
    else if (named_ !== undefined) targets = [[byName!, named_]]
    else {
      targets = (all.get(type) ?? []).map((h): [Wrapped, Kind] => [h, SPECIFIC])
      for (const key of matchesOf(slotFor(type), type)) for (const h of all.get(key) ?? []) targets.push([h, WILDCARD])
    }
    if (targets.length === 0) {
      throw new TidingsError('E_DLQ_NOT_FOUND', `Dead letter ${entry.id}: nothing subscribes to "${type}" now; subscribe a handler, then retry`, { details: { id: entry.id, type } })
    }
    const stats = slotFor(type).stats
    for (const [h, kind] of targets) await deliverOnce(h, kind, env, stats, entry.attempts + 1)
  }

  /**
   * One try of one handler outside the emit path (re-deliveries, a transport's deliveries),
   * reported to observers; rejects with what it threw. `policy`: the transport retries by it.
   */
  const deliverOnce = async (h: Wrapped, kind: Kind, env: TidingsEnvelope, stats: TypeStats, attempt: number, policy?: ResolvedRetry) => {
    const prev = context.active
    context.active = env
    const start = performance.now()
    try {
      await call(h, kind, env)
    } catch (error) {
      stats.failed++
      if (observers.size) {
        const again = policy !== undefined && willRetry(policy, error, attempt)
        notify({ kind: 'failed', envelope: env, subscription: nameOf(h), attempt, durationMs: performance.now() - start, error: errorInfo(error), willRetry: again })
      }
      throw error
    } finally {
      context.active = prev
    }
    stats.delivered++
    if (observers.size) notify({ kind: 'delivered', envelope: env, subscription: nameOf(h), attempt, durationMs: performance.now() - start })
  }

  const retryOf = (w: Wrapped) => {
    const policy = w.sub!.retry ?? baseRetry
    return {
      attempts: policy.attempts,
      retryDelay: (error: unknown, attempt: number) => (willRetry(policy, error, attempt) ? backoffDelay(policy, attempt) : undefined),
    }
  }

  const host: TransportHost = {
    source,
    catalog,
    subscriptions: () => [...named].map(([name, w]) => ({ key: w.sub!.key, name, ...retryOf(w) })),
    onSubscriptionsChange(listener) {
      namedListeners.add(listener)
      return () => void namedListeners.delete(listener)
    },
    deliverBroadcast(e, own) {
      const env = toEnvelope(e)
      const slot = slotFor(env.type)
      if (!own) {
        if (ring !== undefined) ring.push(env)
        if (store !== undefined && slot.persist) appendToLog(env)
      }
      const prev = context.active
      context.active = env
      dispatchMeasured(env, slot, undefined, own ? 'own' : 'remote')
      context.active = prev
    },
    async deliverTo(name, e, attempt = 1) {
      const env = toEnvelope(e)
      const h = named.get(name)
      const kind = h === undefined ? undefined : kindOf(h, env.type)
      if (kind === undefined) {
        throw new TidingsError('E_DLQ_NOT_FOUND', `No subscription named "${name}" matches "${env.type}" in this process`, { details: { name, type: env.type } })
      }
      await deliverOnce(h!, kind, env, slotFor(env.type).stats, attempt, h!.sub!.retry ?? baseRetry)
    },
    deadLetter(e, subscription, attempts, error) {
      const env = toEnvelope(e)
      slotFor(env.type).stats.deadLettered++
      const [entry, written] = writeDeadLetter(env, subscription, attempts, 0, error, undefined)
      if (observers.size) notify({ kind: 'dead-lettered', envelope: env, subscription, attempt: attempts, durationMs: 0, error: entry.error })
      return written
    },
    report(error) {
      // An event the transport had to drop was emitted here and is lost: the next flush() says so.
      if (isTidingsError(error, 'E_TRANSPORT_OVERFLOW')) durability.lost(1, error)
      report(error)
    },
  }

  const waitFor = createWaiters(
    (key, handler) => subscribe(key, handler, undefined, false),
    (key, handler) => all.get(key)?.includes(handler) === true,
    (key) => key === '*' || isPattern(key),
  )

  store?.onError?.(report)
  const ready = transport === undefined ? deadLetters.load() : Promise.all([deadLetters.load(), transport.ready]).then(() => {})
  ready.catch((error: unknown) => report(asTidingsError(error, 'E_STORAGE', 'The store did not open')))

  const bus = {
    all,
    source,
    catalog,
    dlq: deadLetters.queue,
    ready,
    on: (key: string, fn: AnyHandler, options?: SubscribeOptions) => subscribe(key, fn, options, false),
    once: (key: string, fn: AnyHandler, options?: SubscribeOptions) => subscribe(key, fn, options, true),
    off(key: string, fn?: AnyHandler) {
      const list = all.get(key)
      if (fn === undefined) {
        if (list) for (const h of list) release(h)
        registry.off(key)
        return
      }
      const found = list?.find((h: Wrapped) => h === fn) ?? list?.find((h: Wrapped) => h.sub?.fn === fn)
      if (found !== undefined) remove(key, found)
    },
    emit: (type: string, data?: unknown, options?: EmitOptions) => send(type, data, options, undefined),
    publish(type: string, data?: unknown, options?: EmitOptions) {
      const rep = new ReportCollector()
      let env: TidingsEnvelope
      try {
        env = send(type, data, options, rep)
      } catch (error) {
        return Promise.reject(error)
      }
      if (!rep.sealed) rep.seal(env, false)
      return rep.promise
    },
    waitFor: (key: string, options?: WaitForOptions<Envelope>) => (closed ? Promise.reject(closedError()) : waitFor(key, options)),
    use(extension: Middleware | Plugin<EventMap>) {
      if (typeof extension === 'function') {
        middlewares.push(extension)
        rebuildChain()
        return () => {
          const i = middlewares.indexOf(extension)
          if (i >= 0) middlewares.splice(i, 1)
          rebuildChain()
        }
      }
      if (extension === null || typeof extension !== 'object' || typeof extension.install !== 'function') {
        throw invalid('bus.use() takes a middleware (envelope, next) => void or a plugin { install(bus) }')
      }
      const teardown = extension.install(bus as unknown as Bus<EventMap>)
      let removed = false
      return () => {
        if (!removed && teardown) teardown()
        removed = true
      }
    },
    metrics() {
      const listeners = Object.create(null) as Record<string, number>
      for (const [key, list] of all) if (list.length) listeners[key] = list.length
      return metrics.snapshot(listeners, deadLetters.size, deadLetters.overflowed, errorListeners.count, emittedTotal)
    },
    async history(query: HistoryQuery = {}) {
      if (store === undefined) {
        if (ring === undefined) throw new TidingsError('E_NO_STORE', 'bus.history() has nothing to read: create the bus with a store (createBus({ store: memoryStore() })) or keep in-memory history (history: 1000)')
        return ring.query(query)
      }
      flushLog()
      await Promise.all(writes)
      const keep = historyFilter(query)
      const limit = query.limit ?? 100
      const out: Envelope[] = []
      if (limit <= 0) return out
      const plainType = query.type !== undefined && !isPattern(query.type) ? [query.type] : undefined
      const read = store.read({
        after: query.after, before: query.before, since: query.since, until: query.until, types: plainType ?? query.types, order: query.order ?? 'desc',
      })
      for await (const record of read) {
        if (!keep(record.envelope)) continue
        out.push(record.envelope)
        if (out.length >= limit) break
      }
      return out
    },
    stats(query: StatsQuery = {}) {
      return ring === undefined ? { window: query.window ?? 60_000, total: 0, perMinute: 0, groups: [] } : ring.stats(query, Date.now())
    },
    observe(observer: (observation: Observation) => void) {
      observers.add(observer)
      return () => void observers.delete(observer)
    },
    onError(listener: (error: TidingsError) => void) {
      return errorListeners.add(listener)
    },
    async flush() {
      flushLog()
      // Settled, not all fulfilled: each failed write was reported and counted by its own catch.
      while (writes.size) await Promise.allSettled(writes)
      await transport?.flush()
      await store?.flush()
      const lost = durability.take()
      if (lost !== undefined) throw lost
    },
    close() {
      return (closing ??= (async () => {
        closed = true
        // Nothing is lost on close: deliveries waiting for a retry go to the dead-letter queue now.
        for (const r of retrying) {
          clearTimeout(r.timer)
          deadLetter(r, r.error)
        }
        retrying.clear()
        // A store stuck retrying (a full disk) must not hang close(): after a grace period its own
        // close() makes a last attempt and rejects with what went wrong.
        let timer: ReturnType<typeof setTimeout> | undefined
        // A loss (E_NOT_DURABLE) does not stop the closing: it is thrown once everything is closed.
        let lost: unknown
        const flushed = bus.flush().catch((error: unknown) => void (lost = error))
        await Promise.race([flushed, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))])
        clearTimeout(timer)
        await transport?.close()
        await store?.close()
        if (lost !== undefined) throw lost
      })())
    },
  }

  if (catalog !== undefined && options.validate !== false) {
    middlewares.push((envelope, next) => {
      catalog.validate(envelope.type, envelope.data)
      next(envelope)
    })
  }
  if (options.middleware) middlewares.push(...options.middleware)
  rebuildChain()
  transport?.attach(host)
  return bus as unknown as Bus<EventMap>
}

/** Never throws: a returned value whose `then` cannot be read is taken as a plain result. */
const isThenable = (value: unknown): value is PromiseLike<unknown> => {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false
  try {
    return typeof (value as { then?: unknown }).then === 'function'
  } catch {
    return false
  }
}

/** Promise.resolve adopts a thenable whose `then` throws as a rejection instead of throwing here. */
const settleResult = (result: PromiseLike<unknown>, ok: () => void, ko: (error: unknown) => void): void =>
  void Promise.resolve(result).then(ok, ko)

const call = (h: Wrapped, kind: Kind, env: TidingsEnvelope): unknown =>
  kind === SPECIFIC ? (h as Callable)(env.data, env) : (h as Callable)(env.type, env.data, env)
