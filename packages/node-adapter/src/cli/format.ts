import type { DeadLetterEntry, Envelope } from '@tidings/core'
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
export const eventLine = (envelope: Envelope, c: Paint): string =>
  `${c.dim(envelope.time)}  ${c.cyan(envelope.type)}  ${c.dim(envelope.id)}  ${compact(envelope.data)}`

/** One dead letter per line: its id (what retry and discard take), type, subscription, attempts and error. */
export const deadLetterLine = (entry: DeadLetterEntry, c: Paint): string =>
  `${c.bold(entry.id)}  ${c.cyan(entry.envelope.type)}  ${entry.subscription}  ${c.dim(`×${entry.attempts} ${entry.lastFailedAt}`)}  ${c.red(`${entry.error.name}: ${entry.error.message}`)}`

export const deadLetterJSON = (entry: DeadLetterEntry): string =>
  JSON.stringify({
    id: entry.id, envelope: entry.envelope, subscription: entry.subscription, attempts: entry.attempts,
    firstFailedAt: entry.firstFailedAt, lastFailedAt: entry.lastFailedAt, error: entry.error,
  })
