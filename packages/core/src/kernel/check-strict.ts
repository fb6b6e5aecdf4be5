import { checkEncodable } from '../encodable'
import type { Envelope } from '../envelope'
import type { Slot } from './slot'

/**
 * Refuses at emit an event bound for JSON (a store's log, a transport) that JSON cannot carry:
 * NaN, ±Infinity, a BigInt, a cycle. The store log and transports share this one step, so an
 * event bound for both is checked once.
 */
export const checkStrict = (envelope: Envelope, slot: Slot): void => {
  if (slot.strict) checkEncodable(envelope)
}
