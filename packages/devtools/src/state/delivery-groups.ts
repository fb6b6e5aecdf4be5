import type { Delivery } from './retained-event'

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
    const attempts = tries.filter((t) => t.k !== 'dead-lettered').map((t) => t.attempt)
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
