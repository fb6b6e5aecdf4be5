// What the ported Node EventEmitter tests (emitter-parity/*.test.ts) share: the three
// implementations they run against (EventEmitter, TidingsEmitter, and an old-style subclass of
// TidingsEmitter whose bus has a middleware, an observer and a failing subscriber: all three must
// behave identically), Node's common.mustCall/mustNotCall, and the check that the observed bus saw
// the traffic. Each test file imports it, so its hooks run in that file.
import { EventEmitter } from 'node:events'
import { inherits, inspect } from 'node:util'
import { createBus, standard } from '@tidings/core'
import type { Observation } from '@tidings/core'
import { TidingsEmitter } from '@tidings/node'
import type { TidingsEmitterOptions } from '@tidings/node'
import { afterAll, afterEach, expect } from 'vitest'

export type Listener = (...args: unknown[]) => unknown
export type Stored = Listener & { warned?: boolean; listener?: Listener }
type Internals = { _events: Record<string | symbol, Stored | (Stored[] & { warned?: boolean })> | undefined }

export const internals = (ee: EventEmitter) => ee as unknown as Internals
export const eventsOf = (ee: EventEmitter) => internals(ee)._events!
export const callConstructor = (ctor: typeof EventEmitter, self: object, options?: object) =>
  (ctor as unknown as (this: object, options?: object) => void).call(self, options)

interface Expectation { expected: number; calls: number; stack: string | undefined }
let expectations: Expectation[] = []

/** As Node's common.mustCall: the test fails unless `fn` was called exactly `expected` times. */
export function mustCall<A extends unknown[], R>(fn?: (this: EventEmitter, ...args: A) => R, expected = 1) {
  const expectation: Expectation = { expected, calls: 0, stack: new Error().stack }
  expectations.push(expectation)
  return function (this: EventEmitter, ...args: A): R | undefined {
    expectation.calls++
    return fn?.apply(this, args)
  }
}

export const mustNotCall = () => (...args: unknown[]) => {
  throw new Error(`mustNotCall: called with ${inspect(args)}`)
}

afterEach(() => {
  const pending = expectations
  expectations = []
  for (const e of pending) expect(e.calls, `mustCall at ${e.stack}`).toBe(e.expected)
})

const observedBus = createBus({}, standard({ retry: { attempts: 0 } }))
const observedTypes: string[] = []
observedBus.observe((o: Observation) => {
  if (o.kind === 'emitted') observedTypes.push(o.envelope.type)
})
observedBus.use((envelope, next) => next(envelope))
observedBus.on('*', () => {
  throw new Error('a failing bus subscriber')
})

// An old-style subclass, so the constructor-call cases of the suite run through it too.
function ObservedTidingsEmitter(this: object, options?: TidingsEmitterOptions) {
  TidingsEmitter.call(this, { ...options, bus: observedBus })
}
inherits(ObservedTidingsEmitter, TidingsEmitter)
Object.setPrototypeOf(ObservedTidingsEmitter, TidingsEmitter)

afterAll(async () => {
  // The bus saw the traffic and dead-lettered its failing subscriber; the emitters never noticed.
  expect(observedTypes.length).toBeGreaterThan(5)
  expect(await observedBus.dlq.size()).toBeGreaterThan(5)
})

export const implementations: Array<[string, typeof EventEmitter]> = [
  ['EventEmitter', EventEmitter],
  ['TidingsEmitter', TidingsEmitter],
  ['a util.inherits subclass of TidingsEmitter on an observed bus', ObservedTidingsEmitter as unknown as typeof EventEmitter],
]
