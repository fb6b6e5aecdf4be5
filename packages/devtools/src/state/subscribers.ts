import type { SubscriptionJSON } from '@tidings/core'
import { deliveryGroups, groupStatus } from './delivery-groups'
import type { RetainedEvent } from './retained-event'

/** One subscription of one bus, with what became of the kept events it handled. */
export interface SubscriberRow {
  /** The type, pattern or `*` it listens to. */
  on: string
  name: string
  producer: string
  named: boolean
  /** As the bus listed it; undefined when known only from traffic (its bus not asked, or gone). */
  retry: SubscriptionJSON['retry'] | null | undefined
  delivered: number
  failing: number
  deadLettered: number
}

type Counts = Pick<SubscriberRow, 'delivered' | 'failing' | 'deadLettered'>

/**
 * Every subscription the buses listed, and any other that handled a kept event, sorted by what it
 * listens to. Outcome counts are per kept event, by where its delivery stands now: delivered (after
 * retries too), still failing, or dead-lettered. A subscription seen in traffic is matched to a
 * listed one of its bus and name; events it handled through a pattern count under that pattern.
 */
export function subscriberRows(listings: ReadonlyMap<string, readonly SubscriptionJSON[]>, events: Iterable<RetainedEvent>): SubscriberRow[] {
  const counts = new Map<string, Map<string, Counts>>()
  for (const e of events) {
    for (const group of deliveryGroups(e.deliveries)) {
      const producer = group.producer ?? group.tries[group.tries.length - 1]!.producer
      const key = `${producer}\u0000${group.subscription}`
      let byType = counts.get(key)
      if (!byType) counts.set(key, (byType = new Map()))
      let c = byType.get(e.envelope.type)
      if (!c) byType.set(e.envelope.type, (c = { delivered: 0, failing: 0, deadLettered: 0 }))
      const { outcome } = groupStatus(group.tries)
      if (outcome === 'delivered') c.delivered++
      else if (outcome === 'failing') c.failing++
      else c.deadLettered++
    }
  }
  const rows: SubscriberRow[] = []
  const take = (key: string, type: string | undefined): Counts => {
    const byType = counts.get(key)
    const sum = { delivered: 0, failing: 0, deadLettered: 0 }
    if (!byType) return sum
    for (const [t, c] of byType) {
      if (type !== undefined && t !== type) continue
      sum.delivered += c.delivered
      sum.failing += c.failing
      sum.deadLettered += c.deadLettered
      byType.delete(t)
    }
    return sum
  }
  for (const [producer, subscriptions] of listings) {
    // Exact types first, so a pattern subscription of the same name only takes what is left.
    const ordered = [...subscriptions].sort((a, b) => Number(a.on.includes('*')) - Number(b.on.includes('*')))
    for (const s of ordered) {
      const key = `${producer}\u0000${s.name}`
      rows.push({ on: s.on, name: s.name, producer, named: s.named, retry: s.retry ?? null, ...take(key, s.on.includes('*') ? undefined : s.on) })
    }
  }
  for (const [key, byType] of counts) {
    const [producer, name] = key.split('\u0000') as [string, string]
    for (const [type, c] of byType) rows.push({ on: type, name, producer, named: false, retry: undefined, ...c })
  }
  return rows.sort((a, b) => a.on.localeCompare(b.on) || a.name.localeCompare(b.name) || a.producer.localeCompare(b.producer))
}

/** A retry policy in words: `3 retries from 100 ms ×2, up to 5 s`. */
export function describeRetry(retry: SubscriberRow['retry']): string {
  if (retry === undefined) return '—'
  if (retry === null) return 'no retry()'
  if (retry.attempts === 0) return 'no retries'
  const max = retry.maxMs >= 1000 ? `${retry.maxMs / 1000} s` : `${retry.maxMs} ms`
  return `${retry.attempts} ${retry.attempts === 1 ? 'retry' : 'retries'} from ${retry.initialMs} ms ×${retry.factor}, up to ${max}`
}
