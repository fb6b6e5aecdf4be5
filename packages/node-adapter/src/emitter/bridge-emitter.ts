import { EventEmitter, errorMonitor } from 'node:events'
import { TidingsError, isTidingsError } from '@tidings/core'
import { argsToData, typeOfName } from './event-mapping'
import type { BusLike, DataMapper, EventName } from './event-mapping'

/** Anything with `on` and `removeListener`: streams, `process`, sockets, a library's client… */
export interface EmitterLike {
  on(name: EventName, listener: (...args: unknown[]) => void): unknown
  removeListener(name: EventName, listener: (...args: unknown[]) => void): unknown
}

export interface BridgeOptions {
  /**
   * The events to forward: names (each keeps its name as bus type; symbols become
   * `Symbol(description)`), or `{ eventName: busType }`.
   */
  events: readonly EventName[] | Readonly<Record<string, string>>
  /** The bus payload from the listener arguments. Default: the one argument, or the array of several. */
  map?: DataMapper
  /** Detaches when aborted. */
  signal?: AbortSignal
  /**
   * Called when the bus refuses an event (a middleware or validation threw); default
   * `console.error`. The source emitter never sees these errors.
   */
  onError?: (error: unknown, name: EventName) => void
}

const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)

const reportToConsole = (error: unknown, name: EventName) =>
  console.error(`bridgeEmitter: the bus refused "${typeOfName(name)}"`, error)

/**
 * Forwards the chosen events of an existing emitter into the bus; returns the function that
 * detaches every listener it added (also called when `signal` aborts or the bus is closed).
 */
export function bridgeEmitter(emitter: EmitterLike, bus: BusLike, options: BridgeOptions): () => void {
  if (emitter === null || typeof emitter !== 'object' || typeof emitter.on !== 'function' || typeof emitter.removeListener !== 'function') {
    throw invalid('bridgeEmitter(emitter, bus, options): emitter must have on() and removeListener(), as an EventEmitter does')
  }
  if (bus === null || typeof bus !== 'object' || typeof bus.emit !== 'function') {
    throw invalid('bridgeEmitter(emitter, bus, options): bus must be a Tidings bus, e.g. createBus()')
  }
  const events = options?.events
  const routes: Array<[EventName, string]> = Array.isArray(events)
    ? (events as readonly EventName[]).map((name) => [name, typeOfName(name)])
    : Object.entries((events ?? {}) as Readonly<Record<string, string>>)
  if (routes.length === 0) {
    throw invalid('bridgeEmitter(emitter, bus, { events }): name at least one event to forward, e.g. { events: ["data", "end"] }')
  }
  const map = options.map ?? argsToData
  const onError = options.onError ?? reportToConsole
  const signal = options.signal
  if (signal?.aborted) return () => {}

  const attached: Array<[EventName, (...args: unknown[]) => void]> = []
  const detach = () => {
    for (const [name, listener] of attached.splice(0)) emitter.removeListener(name, listener)
    signal?.removeEventListener('abort', detach)
  }
  for (const [name, type] of routes) {
    const listener = (...args: unknown[]) => {
      try {
        bus.emit(type, map(args, name))
      } catch (error) {
        if (isTidingsError(error, 'E_CLOSED')) detach()
        else onError(error, name)
      }
    }
    // An 'error' listener would stop an unhandled error from crashing the process as it should:
    // errorMonitor sees errors without handling them.
    const on = name === 'error' && emitter instanceof EventEmitter ? errorMonitor : name
    emitter.on(on, listener)
    attached.push([on, listener])
  }
  signal?.addEventListener('abort', detach, { once: true })
  return detach
}
