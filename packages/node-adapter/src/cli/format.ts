import type { DeadLetterEntry, TrafficRecord } from '@tidings/core'
import type { Paint } from './output'

const compact = (value: unknown): string => {
  if (value === undefined) return ''
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

/** One event per line: time, type, id, then the payload as JSON. */
export const eventLine = (envelope: { time: string; type: string; id: string; data?: unknown }, c: Paint): string =>
  `${c.dim(envelope.time)}  ${c.cyan(envelope.type)}  ${c.dim(envelope.id)}  ${compact(envelope.data)}`

/** One dead letter per line: its id (what retry and discard take), type, subscription, attempts and error. */
export const deadLetterLine = (entry: DeadLetterEntry, c: Paint): string =>
  `${c.bold(entry.id)}  ${c.cyan(entry.envelope.type)}  ${entry.subscription}  ${c.dim(`×${entry.attempts} ${entry.lastFailedAt}`)}  ${c.red(`${entry.error.name}: ${entry.error.message}`)}`

export const deadLetterJSON = (entry: DeadLetterEntry): string =>
  JSON.stringify({
    id: entry.id, envelope: entry.envelope, subscription: entry.subscription, attempts: entry.attempts,
    firstFailedAt: entry.firstFailedAt, lastFailedAt: entry.lastFailedAt, error: entry.error,
  })

const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`

const outcomeText = (record: Exclude<TrafficRecord, { k: 'emitted' }>, c: Paint): string => {
  const error = record.error ? `  ${c.red(`${record.error.name}: ${record.error.message}`)}` : ''
  if (record.k === 'delivered') return `${c.green('delivered')}${c.dim(` ${ms(record.durationMs)}${record.attempt > 1 ? `, try ${record.attempt}` : ''}`)}`
  if (record.k === 'failed') return `${c.yellow('failed')}${c.dim(` try ${record.attempt}, ${ms(record.durationMs)}, ${record.willRetry ? 'will retry' : 'no retry'}`)}${error}`
  return `${c.red('dead-lettered')}${c.dim(` after ${record.attempt} ${record.attempt === 1 ? 'try' : 'tries'}`)}${error}`
}

/**
 * One line per record a hub relays: an event (the bus that reported it, then as `eventLine`), or
 * one subscription's outcome (`→ subscription` and what became of the try).
 */
export const trafficLine = (record: TrafficRecord, bus: string, c: Paint): string => {
  if (record.k === 'emitted') {
    const { envelope } = record
    const line = eventLine({ ...envelope, time: envelope.time ?? new Date(record.at).toISOString() }, c)
    return `${c.magenta(bus)}${record.remote ? c.dim(' (received)') : ''}  ${line}${record.truncated ? c.dim('  (payload too large, left out)') : ''}`
  }
  return `${c.magenta(bus)}  ${c.dim(new Date(record.at).toISOString())}  ${c.cyan(record.type)}  ${c.dim(record.id)}  → ${record.subscription}  ${outcomeText(record, c)}`
}

/** A relayed record as one JSON object: the protocol's TrafficRecord with the bus's id and name. */
export const trafficJSON = (record: TrafficRecord, producer: string, bus: string): string =>
  JSON.stringify({ producer, bus, ...record })
