import type { EventDefinition } from '../catalog'
import { TidingsError } from '../errors'
import { describeThrown } from './error-context'

const stepFailed = (def: EventDefinition, from: number, problem: string, cause?: unknown) =>
  new TidingsError('E_UPCAST', `Cannot upcast "${def.type}" from v${from} to v${from + 1}: ${problem}`, {
    cause, details: { type: def.type, field: 'data', step: from, from, to: from + 1 },
  })

/**
 * Runs a payload of version `from` through `def.upcast[from]`, `def.upcast[from + 1]`, … up to
 * `def.version`, one step at a time. A throwing, missing or asynchronous step is E_UPCAST naming
 * the type and the step.
 */
export const upcast = (def: EventDefinition, data: unknown, from: number): unknown => {
  let value = data
  for (let v = from; v < def.version; v++) {
    const step = def.upcast[v]
    if (typeof step !== 'function') throw stepFailed(def, v, `the catalog has no upcast[${v}]: add the step to defineEvent("${def.type}")`)
    let async: boolean
    try {
      value = step(value as Record<string, unknown>)
      // Reading "then" may run a getter of the result: it is user code too.
      async = typeof (value as PromiseLike<unknown> | null)?.then === 'function'
    } catch (error) {
      throw stepFailed(def, v, `upcast[${v}] threw "${describeThrown(error)}": fix the upcaster, or repair the stored event`, error)
    }
    if (async) throw stepFailed(def, v, `upcast[${v}] returned a promise: upcasters must be synchronous`)
  }
  return value
}
