import { createDurability } from '../durability'
import type { Envelope } from '../envelope'
import { TidingsError } from '../errors'
import { added } from './added'
import type { Core } from './core'
import { Delivery, SPECIFIC } from './delivery'
import type { Outcome, Tracker } from './delivery'
import type { Dispatch, Kernel, Parts } from './feature'
import type { Slot } from './slot'
import type { Feature, FeatureApi } from './types'

type Step = (a: unknown, b: unknown, c: unknown, d: unknown) => void

const CLOSE_GRACE_MS = 5000
const noop = () => {}
const UNNAMED: Tracker = { unnamedOnly: true }
const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)

/** The one feature that provides `part`: a second one is a mistake to point out, not to pick from. */
const one = <T>(current: T | undefined, part: T, name: string): T => {
  if (current !== undefined) {
    throw invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `createBus(): ${name} was passed twice (standard() includes every feature but transport): pass its options once, e.g. standard({ retry: { attempts: 5 } })` : `${name} twice`)
  }
  return part
}

/** The steps given, each once (a step two features share runs once). */
const unique = <F>(fns: Array<F | undefined>): F[] => [...new Set(fns.filter((f) => f !== undefined))]

/**
 * One function calling every step of a phase, or undefined when no feature has one (so that the
 * kernel skips it). Fixed parameters, not rest ones: this runs on every emit, and a rest array
 * would be allocated each time. Unrolled, not a loop: a loop's one call site would see every
 * step (megamorphic, never inlined), each written-out call sees one.
 */
const fold = <F>(fns: Array<F | undefined>): F | undefined => {
  const list = unique(fns) as unknown as Step[]
  const [f, g, h] = list as [Step, Step, Step]
  let every: Step | undefined
  if (list.length <= 1) every = f
  else if (list.length === 2) every = (a, b, c, d) => {
    f(a, b, c, d)
    g(a, b, c, d)
  }
  else if (list.length === 3) every = (a, b, c, d) => {
    f(a, b, c, d)
    g(a, b, c, d)
    h(a, b, c, d)
  }
  else {
    const rest = fold(list.slice(3))!
    every = (a, b, c, d) => {
      f(a, b, c, d)
      g(a, b, c, d)
      h(a, b, c, d)
      rest(a, b, c, d)
    }
  }
  return every as unknown as F
}

/**
 * What an emit does after middleware: check, record, then route or dispatch. Each shape is its own
 * function and the usual ones call the record steps themselves: a bus runs no test for a phase it
 * does not have, and no folded layer between emit and its steps (V8 inlines a bounded amount).
 */
const sinkOf = (check: Parts['check'], records: Array<NonNullable<Parts['record']>>, onward: Core['sink']): Core['sink'] => {
  const [f, g, h] = records
  if (check !== undefined || records.length > 3) {
    const record = fold(records) ?? noop
    return (env, slot) => {
      check?.(env, slot)
      record(env, slot, false)
      return onward(env, slot)
    }
  }
  if (records.length === 0) return onward
  if (records.length === 1) return (env, slot) => {
    f!(env, slot, false)
    return onward(env, slot)
  }
  if (records.length === 2) return (env, slot) => {
    f!(env, slot, false)
    g!(env, slot, false)
    return onward(env, slot)
  }
  return (env, slot) => {
    f!(env, slot, false)
    g!(env, slot, false)
    h!(env, slot, false)
    return onward(env, slot)
  }
}

/** The feature host of one bus: made by its first feature, kept on the kernel's core. */
const hosts = new WeakMap<Core, ReturnType<typeof createHost>>()

/**
 * What a bus with features has and a bus without them does not: the `Kernel` features are given, the
 * phases composed from their parts, durability accounting, and the lifecycle (ready, flush, close).
 */
const createHost = (core: Core) => {
  const parts: Parts[] = []
  const patches: Parts[] = []
  const writes = new Set<Promise<unknown>>()
  const durability = createDurability()
  const gauges: Record<string, () => number> = { errors: () => core.errors }
  let route: Parts['route']
  let record: NonNullable<Parts['record']> = noop
  let dispatch: Dispatch = core.dispatchHere
  let states = 0

  const compose = () => {
    const active = patches.length === 0 ? parts : [...parts, ...patches]
    core.delivered = fold(active.map((p) => p.delivered))
    core.failed = fold(active.map((p) => p.failed))
    core.gaveUp = fold(active.map((p) => p.gaveUp))
    let next: Dispatch = core.dispatchHere
    for (const p of active) if (p.dispatch) next = p.dispatch(next)
    dispatch = next
    record = fold(active.map((p) => p.record)) ?? noop
    const check = fold(active.map((p) => p.check))
    const to = route
    const onward = to === undefined ? next : (env: Envelope, slot: Slot) => (slot.routed ? to.publish(env) : next(env, slot))
    core.sink = sinkOf(check, unique(active.map((p) => p.record)), onward)
  }

  const settle = async () => {
    for (const p of parts) p.drain?.()
    // Settled, not all fulfilled: each failed write was reported and counted by its own catch.
    while (writes.size) await Promise.allSettled(writes)
  }

  const flush = async () => {
    await settle()
    for (const p of parts) await p.flush?.()
    const lost = durability.take()
    if (lost !== undefined) throw lost
  }

  const kernel: Kernel = {
    bus: core.bus as never,
    source: core.source,
    catalog: core.catalog,
    store: core.store,
    all: core.all,
    get closed() {
      return core.closed
    },
    named: core.registry.named,
    report: core.report,
    track(write) {
      writes.add(write)
      const done = () => void writes.delete(write)
      write.then(done, done)
      return write
    },
    lost: durability.lost,
    slot: core.slot,
    slotState: () => states++,
    patternsOf: core.registry.patternsOf,
    kindOf: (h, type) => core.registry.kindOf(h, core.slot(type)),
    onNamedChange: core.registry.onNamedChange,
    policyOf: (h) => core.retry?.policyOf(h),
    gauge: (name) => gauges[name]?.() ?? 0,
    settle,
    republish(entry) {
      return core.slot(entry.envelope.type).routed ? route!.republish(entry) : undefined
    },
    deliverOnce: (h, kind, env, tries, willRetry) => new Promise<void>((resolve, reject) => {
      const done = (_d: Delivery, error: unknown, outcome: Outcome) => (outcome === 'delivered' ? resolve() : reject(error))
      const d = new Delivery(h, kind, env, core.slot(env.type), { once: true, willRetry, done })
      d.attempt = tries
      core.tryAgain(d)
    }),
    again(d) {
      d.attempt++
      core.tryAgain(d)
    },
    giveUp: (d, error) => core.giveUp(d, error),
    arrive(env, own) {
      const slot = core.slot(env.type)
      if (!own) record(env, slot, true)
      dispatch(env, slot, UNNAMED)
    },
    deadLetter(env, subscription, attempts, error) {
      if (core.keep === undefined) return Promise.reject(invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? 'No feature keeps dead letters on this bus: create it with deadLetters()' : 'no deadLetters()'))
      const d = new Delivery(noop, SPECIFIC, env, core.slot(env.type), undefined, subscription)
      d.attempt = attempts
      const written = core.keep(env, subscription, attempts, 0, error, undefined)
      core.gaveUp?.(d, error, 'dead-lettered')
      return written
    },
    patch: (p) => added(patches, p, compose),
  }

  const add = (added: Parts) => {
    parts.push(added)
    if (added.route) route = one(route, added.route, 'transport()')
    if (added.retry) core.retry = one(core.retry, added.retry, 'retry()')
    if (added.deadLetter) core.keep = one(core.keep, added.deadLetter, 'deadLetters()')
    if (added.api) Object.assign(core.bus, added.api)
    Object.assign(gauges, added.gauges)
  }

  core.start = () => {
    compose()
    const made = fold(parts.map((p) => p.made))
    const to = route
    core.made = to === undefined ? made : (slot) => {
      slot.routed = slot.strict = to.carries(slot.type)
      made?.(slot)
    }
    for (const p of parts) p.start?.()
    const waits = parts.flatMap((p) => (p.ready === undefined ? [] : [p.ready]))
    if (waits.length) {
      const ready = Promise.all(waits).then(noop)
      ;(core.bus as { ready: Promise<void> }).ready = ready
      // Reported here; a caller who awaits bus.ready sees the rejection as well.
      ready.catch((error: unknown) => core.report(error instanceof TidingsError ? error : new TidingsError('E_STORAGE', 'The store did not open', { cause: error })))
    }
  }
  core.flush = flush
  core.close = async () => {
    for (const p of parts) p.closing?.()
    // A store stuck retrying (a full disk) must not hang close(): after a grace period its own
    // close() makes a last attempt and rejects with what went wrong. A flush that finds a loss
    // still closes everything, then rejects with it.
    let timer: ReturnType<typeof setTimeout> | undefined
    let failure: { error: unknown } | undefined
    await Promise.race([flush(), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))])
      .catch((error: unknown) => void (failure = { error }))
      .finally(() => clearTimeout(timer))
    for (const p of parts) await p.close?.()
    if (failure !== undefined) throw failure.error
  }
  return { kernel, add }
}

/**
 * Makes a feature from what it adds to a bus: `make` is called once per bus, when the bus is
 * created, with the bus's `Kernel`, and returns the feature's parts. Every feature of
 * @tidings/core is made this way, and so can yours.
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineFeature<A extends FeatureApi = FeatureApi, Needs extends string = never>(
  make: (kernel: Kernel) => Parts | readonly Parts[],
): Feature<A, Needs> {
  return ((core: Core) => {
    let host = hosts.get(core)
    if (host === undefined) hosts.set(core, (host = createHost(core)))
    for (const p of [make(host.kernel)].flat()) host.add(p)
  }) as Feature<A, Needs>
}
