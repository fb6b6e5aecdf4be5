import type { Catalog } from '../catalog'
import { causedBy } from '../envelope'
import type { Envelope } from '../envelope'
import { asTidingsError } from '../error-info'
import { TidingsError } from '../errors'
import { isPattern } from '../patterns'
import type { Bus, Plugin } from '../kernel/types'
import type { AnyHandler, EventMap } from '../types'
import { correlationOf, emitsOf, isJoin, isTimeout } from './steps'
import type { AnyStep, FlowStep } from './steps'
import { validateFlow } from './validate-flow'

export interface FlowDefinition<E extends EventMap = EventMap> {
  name: string
  steps: readonly FlowStep<E>[]
  /** Checks every type against this catalog when the flow is defined. */
  catalog?: Catalog
  /** Partial joins and running timeouts kept at most (default 10,000); the oldest is forgotten first. */
  maxPending?: number
}

/** A flow is a plugin: `bus.use(flow)` activates it and returns the function that removes it. */
export interface Flow<E extends EventMap = EventMap> extends Plugin<E> {
  readonly name: string
  readonly steps: readonly FlowStep<E>[]
}

type Emit = (type: string, data: unknown, options?: ReturnType<typeof causedBy>) => unknown

/** A Map that forgets its oldest entry past `max` (insertion order = age). */
const boundedSet = <V>(map: Map<string, V>, key: string, value: V, max: number, evict: (v: V) => void) => {
  map.set(key, value)
  if (map.size > max) {
    const [oldest, v] = map.entries().next().value as [string, V]
    map.delete(oldest)
    evict(v)
  }
}

const reaction = (bus: Bus, emit: Emit, flow: string, i: number, step: AnyStep): (() => void) => {
  const run = (data: unknown, envelope: Envelope) => {
    if (step.when && !step.when(data, envelope)) return
    for (const type of emitsOf(step)) emit(type, step.map ? step.map(data, envelope, type) : data)
  }
  const handler = isPattern(step.on)
    ? (_type: string, data: unknown, envelope: Envelope) => run(data, envelope)
    : (data: unknown, envelope: Envelope) => run(data, envelope)
  return bus.on(step.on!, handler as AnyHandler as never, { name: step.name ?? `flow:${flow}#${i}` })
}

const join = (bus: Bus, emit: Emit, flow: string, i: number, step: AnyStep, max: number): (() => void) => {
  const types = step.join!
  const pending = new Map<string, { seen: Map<string, Envelope>; timer: ReturnType<typeof setTimeout> }>()
  const within = step.within ?? 60_000
  const handler = (_data: unknown, envelope: Envelope) => {
    const key = correlationOf(envelope)
    let state = pending.get(key)
    if (state === undefined) {
      state = { seen: new Map(), timer: setTimeout(() => pending.delete(key), within) }
      boundedSet(pending, key, state, max, (s) => clearTimeout(s.timer))
    }
    state.seen.set(envelope.type, envelope)
    if (state.seen.size < types.length) return
    clearTimeout(state.timer)
    pending.delete(key)
    const events = Object.fromEntries(state.seen)
    for (const type of emitsOf(step)) {
      emit(type, step.merge ? step.merge(events, type) : Object.assign({}, ...types.map((t) => events[t]!.data)))
    }
  }
  const offs = types.map((type) => bus.on(type, handler as AnyHandler as never, { name: step.name ?? `flow:${flow}#${i}` }))
  return () => {
    for (const off of offs) off()
    for (const s of pending.values()) clearTimeout(s.timer)
    pending.clear()
  }
}

/**
 * A timeout fires from a timer, where a throwing `map` or a refused emit has no caller and would
 * end the process: it is logged instead (after bus.close(), silently).
 */
const fireTimeout = (flow: string, fire: () => void) => {
  try {
    fire()
  } catch (error) {
    const failure = asTidingsError(error, 'E_INVALID_ARGUMENT', `Flow "${flow}": a timeout step could not emit`)
    if (failure.code !== 'E_CLOSED') console.error(failure)
  }
}

const timeout = (bus: Bus, emit: Emit, flow: string, i: number, step: AnyStep, max: number): (() => void) => {
  const within = step.within!
  const type = step.emit as string
  const timers = new Map<string, ReturnType<typeof setTimeout>>()
  // `expect` may arrive before `on` (another process, a reordering transport): remember it for `within`.
  const arrived = new Map<string, ReturnType<typeof setTimeout>>()
  const name = step.name ?? `flow:${flow}#${i}`
  const offStart = bus.on(step.on!, ((data: unknown, envelope: Envelope) => {
    const key = correlationOf(envelope)
    if (arrived.has(key)) return
    clearTimeout(timers.get(key))
    boundedSet(timers, key, setTimeout(() => {
      timers.delete(key)
      fireTimeout(flow, () => emit(type, step.map ? step.map(data, envelope, type) : data, causedBy(envelope)))
    }, within), max, clearTimeout)
  }) as AnyHandler as never, { name })
  const offExpect = bus.on(step.expect!, ((_data: unknown, envelope: Envelope) => {
    const key = correlationOf(envelope)
    const timer = timers.get(key)
    if (timer !== undefined) {
      clearTimeout(timer)
      timers.delete(key)
      return
    }
    clearTimeout(arrived.get(key))
    boundedSet(arrived, key, setTimeout(() => arrived.delete(key), within), max, clearTimeout)
  }) as AnyHandler as never, { name })
  return () => {
    offStart()
    offExpect()
    for (const t of [...timers.values(), ...arrived.values()]) clearTimeout(t)
    timers.clear()
    arrived.clear()
  }
}

/**
 * Choreography: steps that react to events by emitting others. Events a flow emits carry the
 * triggering event as `causationid` and share its correlation id, so each run is one chain.
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineFlow<E extends EventMap = EventMap>(definition: FlowDefinition<NoInfer<E>>): Flow<E> {
  const { name, steps, catalog, maxPending = 10_000 } = definition
  const issues = validateFlow(steps as readonly unknown[] as readonly AnyStep[], catalog)
  if (issues.length) {
    throw new TidingsError('E_INVALID_ARGUMENT', `Flow "${name}" is invalid: ${issues.map((p) => `steps[${p.step}].${p.field}: ${p.message}`).join('; ')}`, { details: { flow: name, issues } })
  }
  return {
    name,
    steps: steps as readonly FlowStep<E>[],
    install(target) {
      const bus = target as unknown as Bus
      const emit: Emit = (type, data, options) => bus.emit(type, data, options)
      const offs = (steps as readonly unknown[] as readonly AnyStep[]).map((step, i) =>
        isJoin(step) ? join(bus, emit, name, i, step, maxPending)
          : isTimeout(step) ? timeout(bus, emit, name, i, step, maxPending)
          : reaction(bus, emit, name, i, step))
      return () => {
        for (const off of offs) off()
      }
    },
  }
}
