import type { RetainedEvent } from './retained-event'

/** One event of an operation, indented under the event whose handler emitted it. */
export interface ChainEntry {
  event: RetainedEvent
  depth: number
}

/**
 * The kept events of the operation `target` belongs to: those sharing its `correlationid`, plus
 * everything linked to it by `causationid` (its causes up to the first, and their effects), as a
 * tree in emit order. Links to events no longer kept are cut there.
 */
export function operationChain(events: Iterable<RetainedEvent>, target: RetainedEvent, limit = 500): ChainEntry[] {
  const byId = new Map<string, RetainedEvent>()
  const effects = new Map<string, RetainedEvent[]>()
  const members = new Set<RetainedEvent>([target])
  const correlation = target.envelope.correlationid
  for (const e of events) {
    byId.set(e.envelope.id, e)
    const cause = e.envelope.causationid
    if (cause !== undefined) {
      const list = effects.get(cause)
      if (list) list.push(e)
      else effects.set(cause, [e])
    }
    if (correlation !== undefined && e.envelope.correlationid === correlation) members.add(e)
  }

  let root = target
  const seen = new Set<RetainedEvent>([root])
  for (let parent = byId.get(root.envelope.causationid ?? ''); parent && !seen.has(parent); parent = byId.get(parent.envelope.causationid ?? '')) {
    seen.add(parent)
    members.add(parent)
    root = parent
  }
  const visited = new Set<RetainedEvent>([root])
  const queue = [root]
  while (queue.length) {
    for (const child of effects.get(queue.pop()!.envelope.id) ?? []) {
      if (visited.has(child)) continue
      visited.add(child)
      members.add(child)
      queue.push(child)
    }
  }

  const parentOf = (e: RetainedEvent) => {
    const parent = byId.get(e.envelope.causationid ?? '')
    return parent && parent !== e && members.has(parent) ? parent : undefined
  }
  const bySeq = (a: RetainedEvent, b: RetainedEvent) => a.seq - b.seq
  const out: ChainEntry[] = []
  const placed = new Set<RetainedEvent>()
  const place = (e: RetainedEvent, depth: number) => {
    if (placed.has(e) || out.length >= limit) return
    placed.add(e)
    out.push({ event: e, depth })
    for (const child of (effects.get(e.envelope.id) ?? []).filter((c) => members.has(c)).sort(bySeq)) place(child, depth + 1)
  }
  for (const e of [...members].sort(bySeq)) if (!parentOf(e)) place(e, 0)
  // Members caught in a causation cycle have a parent each and so no root: list them flat.
  for (const e of [...members].sort(bySeq)) place(e, 0)
  return out
}

/**
 * The buses an event's causes went through, from the first cause to the event: each event's
 * producer, repeats of the same bus in a row merged (`browser-app → node-service-a → node-service-b`).
 */
export function producerPath(find: (id: string) => RetainedEvent | undefined, target: RetainedEvent): string[] {
  const path = [target.producer]
  const seen = new Set<RetainedEvent>([target])
  for (let cause = find(target.envelope.causationid ?? ''); cause && !seen.has(cause); cause = find(cause.envelope.causationid ?? '')) {
    seen.add(cause)
    if (cause.producer !== path[0]) path.unshift(cause.producer)
  }
  return path
}
