import type { Delivery } from './retained-event'

/** A handler run, as opposed to the dead-letter and discard steps that follow one. */
export const isAttempt = (d: Delivery): boolean => d.k === 'delivered' || d.k === 'failed'

export interface DeliveryGroup {
  key: string
  subscription: string
  /** Set when the group is one process's own subscription of that name. */
  producer: string | undefined
  tries: Delivery[]
}

/**
 * The tries of each subscription. With a transport, a named subscription's tries can run in
 * several processes one after the other (attempts 1, 2, 3…), but subscriptions of the same name
 * in several processes that each ran it (unnamed ones, all called after their function, all at
 * attempt 1) are separate deliveries: those are kept apart per process.
 */
export function deliveryGroups(deliveries: readonly Delivery[]): DeliveryGroup[] {
  const bySubscription = new Map<string, Delivery[]>()
  for (const d of deliveries) {
    const list = bySubscription.get(d.subscription)
    if (list) list.push(d)
    else bySubscription.set(d.subscription, [d])
  }
  const groups: DeliveryGroup[] = []
  for (const [subscription, tries] of bySubscription) {
    const attempts = tries.filter(isAttempt).map((t) => t.attempt)
    if (new Set(attempts).size === attempts.length || new Set(tries.map((t) => t.producer)).size === 1) {
      groups.push({ key: subscription, subscription, producer: undefined, tries })
      continue
    }
    const byProducer = new Map<string, Delivery[]>()
    for (const t of tries) byProducer.set(t.producer, [...(byProducer.get(t.producer) ?? []), t])
    for (const [producer, own] of byProducer) groups.push({ key: `${subscription}\u0000${producer}`, subscription, producer, tries: own })
  }
  return groups
}

/** Where one subscription's delivery stands, read from its tries. */
export interface GroupStatus {
  label: 'delivered' | 'failed, will retry' | 'failed' | 'dead-lettered' | 'dead-lettered again' | 'discarded'
  /** Badge class: the event outcome it amounts to. */
  outcome: 'delivered' | 'failing' | 'dead-lettered'
  /** Handler runs; dead-letter and discard steps are not attempts. */
  attempts: number
  /** The dead letter is (still) in its bus's queue: retry and discard apply. */
  inQueue: boolean
}

/**
 * A dead letter retried from the queue runs once more; when that run fails the bus reports the
 * failure and a second dead-letter step (the entry stays queued, one attempt more), and a discard
 * as a 'discarded' step: the labels read those steps.
 */
export function groupStatus(all: readonly Delivery[]): GroupStatus {
  const tries = all.filter((t) => !t.replay)
  const attempts = tries.filter(isAttempt).length
  const latest = tries[tries.length - 1]
  const deadLetters = tries.filter((t) => t.k === 'dead-lettered').length
  const queued = (label: GroupStatus['label']): GroupStatus => ({ label, outcome: 'dead-lettered', attempts, inQueue: true })
  switch (latest?.k) {
    case 'delivered':
      return { label: 'delivered', outcome: 'delivered', attempts, inQueue: false }
    case 'discarded':
      return { label: 'discarded', outcome: 'dead-lettered', attempts, inQueue: false }
    case 'dead-lettered':
      return queued(deadLetters > 1 ? 'dead-lettered again' : 'dead-lettered')
    default:
      if (latest?.willRetry) return { label: 'failed, will retry', outcome: 'failing', attempts, inQueue: false }
      return { label: 'failed', outcome: 'failing', attempts, inQueue: false }
  }
}
