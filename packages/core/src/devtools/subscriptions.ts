import { fromCloudEvent } from '../codec/cloudevents'
import type { CloudEventJSON, Envelope } from '../envelope'
import { errorInfo } from '../error-info'
import { TidingsError } from '../errors'
import { deliveryTargets } from '../features/dead-letters/delivery-targets'
import { nameOf } from '../kernel/delivery'
import type { Kernel } from '../kernel/feature'
import type { CommandValues } from './protocol'
import type { SubscriptionJSON } from './subscription-json'

/** Every subscription of the bus now: what it listens to, its name, and the retry policy its deliveries follow. */
export function listSubscriptions(kernel: Kernel): SubscriptionJSON[] {
  const out: SubscriptionJSON[] = []
  for (const [on, handlers] of kernel.all) {
    for (const handler of handlers) {
      const name = nameOf(handler)
      const policy = kernel.policyOf(handler)
      const entry: SubscriptionJSON = { on, name, named: kernel.named.get(name) === handler }
      if (policy) entry.retry = { attempts: policy.attempts, initialMs: policy.initialMs, factor: policy.factor, maxMs: policy.maxMs, jitter: policy.jitter }
      out.push(entry)
    }
  }
  return out
}

/**
 * Delivers a stored event once more to one subscription of the bus, the way a dead letter's retry
 * does (its named subscription, or its handler of that name for the type), outside emit: no other
 * subscription sees it, nothing is retried or dead-lettered, and the outcome is observed as any
 * try is. `data`, when given, replaces the payload (an edited replay).
 */
export async function replayInto(kernel: Kernel, event: CloudEventJSON, subscription: string, attempt: number, data?: { value: unknown }): Promise<CommandValues['replay']> {
  const envelope = fromCloudEvent(data === undefined ? event : { ...event, data: data.value }) as unknown as Envelope
  let targets = deliveryTargets(kernel, envelope.type, subscription, undefined, false)
  if (targets.length === 0) {
    const all = deliveryTargets(kernel, envelope.type, subscription, undefined, true)
    targets = all.filter(([handler]) => nameOf(handler) === subscription).slice(0, 1)
  }
  if (targets.length === 0) {
    throw new TidingsError('E_INVALID_ARGUMENT', `Nothing named "${subscription}" subscribes to "${envelope.type}" on this bus now: replay into one of its subscriptions (the Subscribers view lists them)`, {
      details: { type: envelope.type, subscription },
    })
  }
  const [handler, kind] = targets[0]!
  try {
    await kernel.deliverOnce(handler, kind, envelope, attempt, () => false)
    return { delivered: true }
  } catch (error) {
    return { delivered: false, error: errorInfo(error) }
  }
}
