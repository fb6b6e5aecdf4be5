import { deliveryGroups, isAttempt } from './delivery-groups'
import type { RetainedEvent } from './retained-event'

/**
 * A stretch of one subscription's delivery: waiting for its first try, a try running, the backoff
 * before the next, the hop into the dead-letter queue, the time spent there before a retry from
 * it, or the discard that ended it.
 */
export interface WaterfallSpan {
  kind: 'wait' | 'run' | 'backoff' | 'dead-letter' | 'in-queue' | 'discarded'
  /** Epoch ms. */
  from: number
  to: number
  /** For runs: the try's number, how it ended, and its handler time (finer than the span's whole milliseconds). */
  attempt?: number
  outcome?: 'delivered' | 'failed'
  durationMs?: number
}

export interface WaterfallLane {
  key: string
  subscription: string
  /** The processes whose bus ran the tries (several with a transport moving them). */
  producers: string[]
  spans: WaterfallSpan[]
}

export interface Waterfall {
  /** When the event was emitted (epoch ms): the axis starts there. */
  start: number
  end: number
  lanes: WaterfallLane[]
}

/**
 * Each subscription's tries of one event on one time axis, like a tracing UI's spans. A try ends
 * when its outcome was recorded and lasted its handler time; what lies between is waiting
 * (before the first try), backoff (between tries) or time in the dead-letter queue. Clocks of
 * other processes may be skewed: a try never starts before the event on this axis.
 */
export function waterfall(event: RetainedEvent): Waterfall {
  const start = event.at
  let end = start
  const lanes = deliveryGroups(event.deliveries).map(({ key, subscription, tries }): WaterfallLane => {
    const spans: WaterfallSpan[] = []
    let cursor = start
    let ran = false
    let queued = false
    for (const t of tries) {
      const to = Math.max(t.at, cursor)
      if (isAttempt(t)) {
        const from = Math.max(to - t.durationMs, cursor)
        if (from > cursor) spans.push({ kind: queued ? 'in-queue' : ran ? 'backoff' : 'wait', from: cursor, to: from })
        spans.push({ kind: 'run', from, to, attempt: t.attempt, outcome: t.k === 'delivered' ? 'delivered' : 'failed', durationMs: t.durationMs })
        ran = true
        queued = false
      } else {
        spans.push({ kind: t.k === 'dead-lettered' ? 'dead-letter' : 'discarded', from: cursor, to })
        queued = t.k === 'dead-lettered'
      }
      cursor = to
    }
    if (cursor > end) end = cursor
    return { key, subscription, producers: [...new Set(tries.map((t) => t.producer))], spans }
  })
  return { start, end, lanes }
}

/** What a span is, in words, for its label and the line that describes the focused one. */
export function describeSpan(span: WaterfallSpan, format: (ms: number) => string): string {
  const length = format(span.to - span.from)
  switch (span.kind) {
    case 'wait': return `waited ${length} before the first try`
    case 'run': return `attempt ${span.attempt}: ${span.outcome} in ${format(span.durationMs ?? span.to - span.from)}`
    case 'backoff': return `backoff ${length} before the next try`
    case 'dead-letter': return 'dead-lettered'
    case 'in-queue': return `${length} in the dead-letter queue, then retried from it`
    case 'discarded': return 'dead letter discarded'
  }
}
