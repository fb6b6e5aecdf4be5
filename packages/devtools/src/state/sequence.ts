import { deliveryGroups, groupStatus } from './delivery-groups'
import type { GroupStatus } from './delivery-groups'
import type { RetainedEvent } from './retained-event'

/** A subscription that handled an event, on the lane of the process that ran it. */
export interface SequenceHandler {
  subscription: string
  lane: number
  status: GroupStatus
}

/** One event of the operation: a row of the diagram, on the lane of the bus that emitted it. */
export interface SequenceStep {
  event: RetainedEvent
  lane: number
  /** Row of the event that caused it, when that one is in the diagram. */
  cause?: number
  handlers: SequenceHandler[]
}

export interface SequenceDiagram {
  /** Producer ids, in the order they first appear. */
  lanes: string[]
  steps: SequenceStep[]
  /** More events belong to the operation than the diagram shows. */
  truncated: boolean
}

interface OperationSummary {
  correlationid: string
  /** The event that started it: the root, whose own id became the correlation id, when kept. */
  first: RetainedEvent
  count: number
  lastAt: number
}

/** The operations (correlation ids) among the kept events, the latest first, with what started each. */
export function listOperations(events: Iterable<RetainedEvent>, limit = 100): OperationSummary[] {
  const byId = new Map<string, OperationSummary>()
  const note = (id: string, e: RetainedEvent) => {
    const op = byId.get(id)
    if (op === undefined) return void byId.set(id, { correlationid: id, first: e, count: 1, lastAt: e.at })
    op.count++
    if (e.at > op.lastAt) op.lastAt = e.at
    if (e.at < op.first.at) op.first = e
  }
  for (const e of events) if (e.envelope.correlationid !== undefined) note(e.envelope.correlationid, e)
  // causedBy() makes the first event's id the operation's correlation id; that event carries none.
  for (const e of events) {
    const op = byId.get(e.envelope.id)
    if (op === undefined || e.envelope.correlationid !== undefined) continue
    note(e.envelope.id, e)
    op.first = e
  }
  return [...byId.values()].sort((a, b) => b.lastAt - a.lastAt).slice(0, limit)
}

/**
 * The operation `correlationid` as a sequence diagram: its events (those carrying the id, and the
 * first one, whose id it is) in time order, one lane per process (bus), each event
 * linked to its cause and to the subscriptions that handled it, wherever they ran.
 */
export function sequenceDiagram(events: Iterable<RetainedEvent>, correlationid: string, limit = 500): SequenceDiagram {
  // One pass of string compares: with 100,000 events kept, no index of all of them is built.
  const members: RetainedEvent[] = []
  for (const e of events) if (e.envelope.correlationid === correlationid || e.envelope.id === correlationid) members.push(e)
  if (members.length === 0) return { lanes: [], steps: [], truncated: false }
  members.sort((a, b) => a.at - b.at || a.seq - b.seq)
  const shown = members.slice(0, limit)
  const lanes: string[] = []
  const laneOf = (producer: string) => {
    const i = lanes.indexOf(producer)
    return i >= 0 ? i : lanes.push(producer) - 1
  }
  // Another process's clock may put an effect before its cause: rows are known before arrows are drawn.
  const rowOf = new Map(shown.map((event, row) => [event.envelope.id, row]))
  const steps = shown.map((event): SequenceStep => {
    const cause = rowOf.get(event.envelope.causationid ?? '')
    const step: SequenceStep = { event, lane: laneOf(event.producer), handlers: [] }
    if (cause !== undefined) step.cause = cause
    for (const group of deliveryGroups(event.deliveries)) {
      const ran = group.tries[group.tries.length - 1]!.producer
      step.handlers.push({ subscription: group.subscription, lane: laneOf(group.producer ?? ran), status: groupStatus(group.tries) })
    }
    return step
  })
  return { lanes, steps, truncated: members.length > shown.length }
}
