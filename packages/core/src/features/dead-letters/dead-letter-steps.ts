import type { Kernel } from '../../kernel/feature'
import type { DeadLetterEntry } from '../../store/types'

/**
 * What happened to a kept dead letter that no delivery step reports: a retry from the queue failed
 * again (the entry stays, one attempt more), or the entry was discarded.
 */
export interface DeadLetterStep {
  kind: 'dead-lettered' | 'discarded'
  entry: DeadLetterEntry
}

/**
 * Who hears each bus's dead-letter steps, by the kernel both features are installed on: observe()
 * reports them without the kernel carrying a phase that only these two features use.
 */
export const deadLetterSteps = new WeakMap<Kernel, Set<(step: DeadLetterStep) => void>>()
