import { EventEmitter, errorMonitor } from 'node:events'
import { TidingsError, createBus, isTidingsError } from '@tidings/core'
import type { Bus } from '@tidings/core'
import { argsToData, defaultTypeMapper } from './event-mapping'
import type { BusLike, DataMapper, EventName, TypeMapper } from './event-mapping'

/** The event map a typed `EventEmitter<T>` takes: event name → listener arguments. */
export type EmitterEventMap<T> = Record<keyof T, unknown[]> | [never]

export interface TidingsEmitterOptions<B extends BusLike = Bus> {
  /** As EventEmitter's: route rejections of async listeners to 'error' (or `Symbol.for('nodejs.rejection')`). */
  captureRejections?: boolean
  /** The bus every emit travels through (default: a new untyped bus of its own). */
  bus?: B
  /**
   * The bus type of an event name; return `undefined` to keep that event local. Default: the
   * name itself (symbols as `Symbol(description)`), except that `newListener`, `removeListener`,
   * names containing `*` and, on a typed bus, names its catalog does not define stay local.
   */
  type?: TypeMapper
  /** The bus payload from the emit arguments. Default: the one argument, or the array of several. */
  data?: DataMapper
}

/** A Node `EventEmitter` whose emits also travel through a Tidings bus. */
interface TidingsEmitter<T extends EmitterEventMap<T> = [never], B extends BusLike = Bus> extends EventEmitter<T> {
  /** The bus this emitter's events travel through. */
  readonly bus: B
}

export interface TidingsEmitterConstructor extends Omit<typeof EventEmitter, 'prototype'> {
  new <T extends EmitterEventMap<T> = [never], B extends BusLike = Bus>(options?: TidingsEmitterOptions<B>): TidingsEmitter<T, B>
  /** Old-style subclasses: `TidingsEmitter.call(this, options)` in a constructor set up with `util.inherits`. */
  (this: object, options?: TidingsEmitterOptions<BusLike>): void
  /** Typed loosely, so that a subclass may take a typed bus (`extends TidingsEmitter<Events, typeof bus>`). */
  readonly prototype: TidingsEmitter<[never], BusLike>
}

interface Link {
  readonly bus: BusLike
  readonly type: TypeMapper
  readonly data: DataMapper
}

const kLink = Symbol('tidings.emitter')

type Instance = EventEmitter & { [kLink]?: Link }

const initEmitter = EventEmitter as unknown as (this: object, options?: { captureRejections?: boolean }) => void

const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)

const forward = (link: Link, name: EventName, args: unknown[]) => {
  const type = link.type(name)
  if (type === undefined) return
  try {
    link.bus.emit(type, link.data(args, name))
  } catch (error) {
    // After bus.close() the emitter keeps working as a plain EventEmitter (e.g. during shutdown).
    if (isTidingsError(error, 'E_CLOSED')) return
    // An 'error' must reach the emitter's own 'error' listeners (or crash as Node's would), not be
    // replaced by the bus's refusal of it (e.g. an error value JSON cannot carry on a stored bus).
    if (name === 'error') return console.error(`TidingsEmitter: the bus refused an "error" event; the emitter's listeners still get it`, error)
    throw error
  }
}

/**
 * A function constructor rather than a class: old-style subclasses call it with
 * `TidingsEmitter.call(this)`, which a class constructor refuses. Its prototype inherits
 * `EventEmitter.prototype`, so every method but `emit` is Node's own and behaves exactly alike.
 */
const TidingsEmitter = function TidingsEmitter(this: Instance | undefined, options?: TidingsEmitterOptions<BusLike>): void {
  if (typeof this !== 'object' || this === null) {
    throw invalid('TidingsEmitter is a constructor: use new TidingsEmitter(options), or TidingsEmitter.call(this, options) in a subclass constructor')
  }
  initEmitter.call(this, options)
  const bus = options?.bus ?? createBus()
  if (typeof bus.emit !== 'function') throw invalid('new TidingsEmitter({ bus }): bus must be a Tidings bus, e.g. createBus()')
  if (options?.type !== undefined && typeof options.type !== 'function') throw invalid('new TidingsEmitter({ type }): type must be a function (name) => string | undefined')
  if (options?.data !== undefined && typeof options.data !== 'function') throw invalid('new TidingsEmitter({ data }): data must be a function (args, name) => payload')
  const link: Link = { bus, type: options?.type ?? defaultTypeMapper(bus), data: options?.data ?? argsToData }
  // Hidden from util.inspect and deepStrictEqual, like EventEmitter's own internals.
  Object.defineProperty(this, kLink, { value: link, writable: true, configurable: true, enumerable: false })
} as unknown as TidingsEmitterConstructor

Object.setPrototypeOf(TidingsEmitter.prototype, EventEmitter.prototype)
// Statics (defaultMaxListeners, errorMonitor, captureRejections, once, on…) are EventEmitter's own.
Object.setPrototypeOf(TidingsEmitter, EventEmitter)

Object.defineProperty(TidingsEmitter.prototype, 'bus', {
  get(this: Instance) {
    return this[kLink]?.bus
  },
  configurable: true,
})

/**
 * The bus sees the event first, so it is logged and observed even when a listener throws;
 * then Node's own emit runs the listeners with Node's semantics (return value, `this`, 'error'
 * rules, captureRejections). A middleware that rejects the event throws here before any listener runs.
 */
TidingsEmitter.prototype.emit = function emit(this: Instance, name: EventName, ...args: unknown[]): boolean {
  const link = this[kLink]
  // Node re-emits an 'error' to errorMonitor listeners: the bus already has it as 'error'.
  if (link !== undefined && name !== errorMonitor) forward(link, name, args)
  // Looked up on each call so that patches of EventEmitter.prototype.emit (domains) still apply.
  return EventEmitter.prototype.emit.call(this, name, ...args)
}

export { TidingsEmitter }
