import { TidingsError } from '@tidings/core'
import type { Envelope } from '@tidings/core'

/**
 * What a failed `postMessage` means to the user. A DataCloneError is the usual one: JSON could
 * write the data (a Proxy, a class with a toJSON) but structured clone cannot copy it.
 */
export const postFailure = (error: unknown, envelope: Envelope | undefined, where: string): TidingsError => {
  const reason = error instanceof Error ? error.message : String(error)
  const what = envelope === undefined ? 'A message' : `Event ${envelope.id} ("${envelope.type}")`
  const details = { id: envelope?.id, type: envelope?.type, to: where }
  if ((error as { name?: unknown } | null)?.name === 'DataCloneError') {
    return new TidingsError('E_ENCODE', `${what} cannot be posted to ${where}: structured clone refused its data (${reason}). Emit plain data (objects, arrays, strings, numbers, Dates): no functions, and no proxies such as Vue's reactive() or MobX observables (emit toRaw(value) or a copy)`, {
      cause: error, details: { ...details, reason: 'uncloneable' },
    })
  }
  return new TidingsError('E_TRANSPORT', `${what} could not be posted to ${where}: ${reason}`, { cause: error, details })
}
