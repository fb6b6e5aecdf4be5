import type { Envelope, NamedSubscription, TransportHost } from '@tidings/core'
import { keyMatches } from './keys'
import { NamedDelivery } from './named-delivery'

/**
 * Named subscriptions handled in this context itself (over a port or a server's stream, where
 * nothing elects one context among several): every event reaches each matching name here once.
 */
export class LocalNamed {
  private subs: NamedSubscription[]

  constructor(host: TransportHost, private readonly delivery: NamedDelivery) {
    this.subs = host.subscriptions()
    host.onSubscriptionsChange(() => (this.subs = host.subscriptions()))
  }

  handle(envelope: Envelope): void {
    for (const sub of this.subs) if (keyMatches(sub.key, envelope.type)) void this.delivery.deliver(sub, envelope)
  }

  /** A dead letter's event again, to subscription `name`: false when this context has no such subscription for its type. */
  redeliver(name: string, envelope: Envelope): boolean {
    const sub = this.subs.find((s) => s.name === name && keyMatches(s.key, envelope.type))
    if (sub !== undefined) void this.delivery.deliver(sub, envelope)
    return sub !== undefined
  }
}

/** What a bridge without elections needs for named subscriptions: deliveries (closed with the bridge) and the local names. */
export const localNamed = (host: TransportHost): { delivery: NamedDelivery; named: LocalNamed } => {
  const delivery = new NamedDelivery(host)
  return { delivery, named: new LocalNamed(host, delivery) }
}
