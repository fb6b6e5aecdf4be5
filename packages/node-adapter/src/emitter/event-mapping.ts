import type { Catalog } from '@tidings/core'

/** An EventEmitter event name. */
export type EventName = string | symbol

/** What TidingsEmitter and bridgeEmitter need of a bus. Every `Bus`, typed or not, is one. */
export interface BusLike {
  /** When set, TidingsEmitter by default forwards only the names this catalog defines. */
  readonly catalog?: Catalog | undefined
  emit(type: string, data?: unknown): unknown
}

/** The bus type of an emitter event name; `undefined` keeps that event off the bus. */
export type TypeMapper = (name: EventName) => string | undefined

/** The bus payload of one emit, from the arguments the listeners receive. */
export type DataMapper = (args: unknown[], name: EventName) => unknown

/**
 * Symbols become `Symbol(description)` on the bus side, as `String(symbol)` prints them; other
 * non-strings that EventEmitter tolerates (numbers, null) become their string form.
 */
export const typeOfName = (name: EventName): string => (typeof name === 'string' ? name : String(name))

/**
 * One argument travels as itself and none as `undefined`, so a typed bus validates the one
 * payload object most events carry; several travel as the array of them.
 */
export const argsToData: DataMapper = (args) => (args.length <= 1 ? args[0] : args)

/** They describe the emitter's own wiring and carry listener functions, which no store can keep. */
const WIRING_EVENTS: ReadonlySet<EventName> = new Set(['newListener', 'removeListener'])

/**
 * Every name as its own type, except the wiring events and names containing `*`, which the bus
 * would take for subscription patterns; a typed bus only gets the names its catalog defines,
 * since it would reject the others.
 */
export const defaultTypeMapper = (bus: BusLike): TypeMapper => {
  const catalog = bus.catalog
  return (name) => {
    if (WIRING_EVENTS.has(name)) return undefined
    const type = typeOfName(name)
    if (type.includes('*')) return undefined
    return catalog === undefined || catalog.get(type) !== undefined ? type : undefined
  }
}
