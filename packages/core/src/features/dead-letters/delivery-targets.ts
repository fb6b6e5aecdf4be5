import { SPECIFIC, WILDCARD } from '../../kernel/delivery'
import type { Kind, Wrapped } from '../../kernel/delivery'
import type { Kernel } from '../../kernel/feature'
import type { AnyHandler } from '../../types'

/**
 * Where an event goes again for one subscription: to `handler` if it is still subscribed to the
 * type, else to the subscription of that name, else (`fallback`) to every current subscriber of
 * the type. Dead-letter retries and devtools replays both deliver this way.
 */
export function deliveryTargets(kernel: Kernel, type: string, subscription: string, handler: AnyHandler | undefined, fallback: boolean): Array<[Wrapped, Kind]> {
  const own = handler === undefined ? undefined : kernel.kindOf(handler, type)
  if (own !== undefined) return [[handler!, own]]
  const named = kernel.named.get(subscription)
  const byName = named === undefined ? undefined : kernel.kindOf(named, type)
  if (byName !== undefined) return [[named!, byName]]
  if (!fallback) return []
  const targets = (kernel.all.get(type) ?? []).map((h): [Wrapped, Kind] => [h, SPECIFIC])
  for (const key of kernel.patternsOf(kernel.slot(type))) for (const h of kernel.all.get(key) ?? []) targets.push([h, WILDCARD])
  return targets
}
