import type { ProducerInfo, TrafficRecord } from '@tidings/core'
import { usageError } from './exit-codes'

/**
 * The devtools page's outcomes, for one record of a live stream: `delivered` (a handler ran),
 * `retried` (it ran after at least one failed try), `failing` (a try failed), `dead-lettered`.
 * The page's `none` (no handler ever ran) cannot be known while the stream goes on.
 */
export const OUTCOMES = ['delivered', 'retried', 'failing', 'dead-lettered'] as const
export type OutcomeName = (typeof OUTCOMES)[number]

export const parseOutcomes = (values: readonly string[]): OutcomeName[] => values.map((value) => {
  if ((OUTCOMES as readonly string[]).includes(value)) return value as OutcomeName
  if (value === 'failed') return 'failing'
  const why = value === 'none'
    ? '"none" (no handler ran) cannot be told while traffic goes on'
    : `"${value}" is not one`
  throw usageError(`--outcome takes ${OUTCOMES.join(', ')}: ${why}`)
})

const outcomeOf = (record: Exclude<TrafficRecord, { k: 'emitted' }>): OutcomeName[] => {
  if (record.k === 'delivered') return record.attempt > 1 ? ['delivered', 'retried'] : ['delivered']
  return record.k === 'failed' ? ['failing'] : ['dead-lettered']
}

export interface TrafficFilterOptions {
  /** From `typeFilter()`: undefined lets every type through. */
  type: ((type: string) => boolean) | undefined
  /** Bus names, producer ids or sources (`createBus({ source })`); empty lets every bus through. */
  buses: readonly string[]
  /** Empty: events and every outcome; else only outcome records of these. */
  outcomes: readonly OutcomeName[]
}

/** Whether a record one producer reported is printed. */
export function trafficFilter(options: TrafficFilterOptions): (producer: ProducerInfo | undefined, producerId: string, record: TrafficRecord) => boolean {
  const { type, buses, outcomes } = options
  return (producer, producerId, record) => {
    if (buses.length && !buses.some((b) => b === producerId || b === producer?.name || b === producer?.source)) return false
    if (type && !type(record.k === 'emitted' ? record.envelope.type : record.type)) return false
    if (!outcomes.length) return true
    return record.k !== 'emitted' && outcomeOf(record).some((o) => outcomes.includes(o))
  }
}
