import type { CloudEventJSON } from '@tidings/core'
import type { Delivery, RetainedEvent } from './retained-event'

/**
 * Extension attributes that carry what the page learned about an event, so an exported session
 * loads back with its outcomes. CloudEvents extension values must be scalars, hence the JSON string.
 */
const PRODUCER = 'devtoolsproducer'
const DELIVERIES = 'devtoolsdeliveries'
const TRUNCATED = 'devtoolstruncated'

/** An event read back from a file, ready for `RetainedEvents.add`. */
export interface ImportedEvent {
  producer: string
  at: number
  envelope: CloudEventJSON
  truncated: boolean
  deliveries: Delivery[]
}

export interface ImportResult {
  events: ImportedEvent[]
  /** Lines that are not CloudEvents, with the reason (1-based line numbers). */
  skipped: Array<{ line: number; reason: string }>
}

/** One CloudEvents JSON object per line; `producerName` turns producer ids into what the page shows. */
export function exportNdjson(events: Iterable<RetainedEvent>, producerName: (id: string) => string): string {
  let out = ''
  for (const e of events) {
    const line: CloudEventJSON = { ...e.envelope, [PRODUCER]: producerName(e.producer) }
    if (e.deliveries.length) line[DELIVERIES] = JSON.stringify(e.deliveries.map((d) => ({ ...d, producer: producerName(d.producer) })))
    if (e.truncated) line[TRUNCATED] = true
    out += `${JSON.stringify(line)}\n`
  }
  return out
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

function cloudEventProblem(x: unknown): string | undefined {
  if (!isObject(x)) return 'not a JSON object'
  if (x.specversion !== '1.0') return 'specversion is not "1.0"'
  for (const key of ['id', 'source', 'type'] as const) {
    if (typeof x[key] !== 'string' || x[key] === '') return `"${key}" is missing or not a string`
  }
  if (x.time !== undefined && typeof x.time !== 'string') return '"time" is not a string'
  return undefined
}

/** A delivery as exported; files written before deliveries named their producer have none. */
const isDelivery = (x: unknown): x is Omit<Delivery, 'producer'> & { producer?: unknown } =>
  isObject(x) && (x.k === 'delivered' || x.k === 'failed' || x.k === 'dead-lettered' || x.k === 'discarded') &&
  typeof x.subscription === 'string' && typeof x.attempt === 'number' && typeof x.durationMs === 'number' &&
  typeof x.at === 'number'

/** The exported deliveries; one without a producer was run by the event's own. */
function deliveriesOf(value: unknown, eventProducer: string): Delivery[] {
  if (typeof value !== 'string') return []
  try {
    const parsed: unknown = JSON.parse(value)
    if (!Array.isArray(parsed)) return []
    return parsed.filter(isDelivery).map((d) => ({ ...d, producer: typeof d.producer === 'string' && d.producer ? d.producer : eventProducer }))
  } catch {
    return []
  }
}

/** Reads NDJSON CloudEvents (this page's exports or any other producer's); bad lines are reported, not fatal. */
export function importNdjson(text: string, fallbackProducer: string): ImportResult {
  const result: ImportResult = { events: [], skipped: [] }
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim()
    if (!raw) continue
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch {
      result.skipped.push({ line: i + 1, reason: 'not JSON' })
      continue
    }
    const problem = cloudEventProblem(value)
    if (problem) {
      result.skipped.push({ line: i + 1, reason: problem })
      continue
    }
    const { [PRODUCER]: producer, [DELIVERIES]: deliveries, [TRUNCATED]: truncated, ...envelope } = value as CloudEventJSON
    const time = typeof envelope.time === 'string' ? Date.parse(envelope.time) : NaN
    const eventProducer = typeof producer === 'string' && producer ? producer : fallbackProducer
    result.events.push({
      producer: eventProducer,
      at: Number.isFinite(time) ? time : 0,
      envelope: envelope as CloudEventJSON,
      truncated: truncated === true,
      deliveries: deliveriesOf(deliveries, eventProducer),
    })
  }
  return result
}

/** What an import did, for the page's notice: new events, duplicates of ones already shown, lines skipped. */
export function importMessage(fileName: string, added: number, duplicates: number, skipped: ImportResult['skipped']): string {
  let text = `Imported ${added} new ${added === 1 ? 'event' : 'events'} from ${fileName}`
  if (duplicates) text += `; ${duplicates} ${duplicates === 1 ? 'was a duplicate' : 'were duplicates'} of events already shown`
  if (skipped.length) text += `; skipped ${skipped.length} line(s), first at line ${skipped[0]!.line}: ${skipped[0]!.reason}`
  return text
}
