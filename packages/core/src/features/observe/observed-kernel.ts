import type { Kernel } from '../../kernel/feature'

/**
 * The kernel of each bus that has observe(), by the bus: what the devtools client reads the bus's
 * subscriptions from and replays an event into one of them with, without a public API for either.
 */
export const observedKernel = new WeakMap<object, Kernel>()
