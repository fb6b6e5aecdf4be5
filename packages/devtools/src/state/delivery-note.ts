import type { StatsRow } from './stats'

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/**
 * Why a type's delivered count differs from its emitted count in one bus, or undefined when they
 * agree. Emitted counts each event this bus emitted once; delivered counts each subscription that
 * handled one, events from other processes (through a transport) included.
 */
export function deliveryNote(r: StatsRow): string | undefined {
  if (r.delivered === r.emitted) return undefined
  const reasons: string[] = []
  if (r.listeners === 0 && r.delivered === 0) reasons.push('nothing in this bus subscribes to it')
  if (r.listeners > 1) reasons.push(`each event goes to its ${r.listeners} subscriptions here, and each delivery counts`)
  if (r.delivered > r.emitted * Math.max(r.listeners, 1)) reasons.push('events emitted by other processes were delivered here too')
  if (r.deadLettered > 0) reasons.push(`${plural(r.deadLettered, 'delivery was', 'deliveries were')} dead-lettered`)
  else if (r.failed > r.retried) reasons.push(`${plural(r.failed - r.retried, 'delivery', 'deliveries')} failed for good`)
  if (r.retried > 0) reasons.push(`${plural(r.retried, 'try', 'tries')} failed and ${r.retried === 1 ? 'was' : 'were'} retried`)
  if (reasons.length === 0) reasons.push('some deliveries are still running, or their handlers listen through a pattern')
  return `${r.type}: ${r.delivered.toLocaleString('en-US')} delivered for ${r.emitted.toLocaleString('en-US')} emitted: ${reasons.join('; ')}.`
}
