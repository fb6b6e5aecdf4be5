import type { Outcome, RetainedEvent } from './retained-event'

/** What the stream shows: every field empty means everything. */
export interface Filter {
  /** Type patterns separated by commas or spaces: `order.*` (one segment), `order.**` (any depth), or plain text. */
  type: string
  /** A bus's name (its id in links made before names): it survives the bus's restarts, an id may not. */
  source: string
  outcome: Outcome | ''
  /** Text searched for in payloads, case-insensitively. */
  q: string
  /** Types hidden from the list but still kept. */
  muted: string[]
  /** Only the events of one operation: those carrying this `correlationid`. */
  correlation: string
}

export const EMPTY_FILTER: Filter = { type: '', source: '', outcome: '', q: '', muted: [], correlation: '' }

export const isEmptyFilter = (f: Filter): boolean =>
  !f.type && !f.source && !f.outcome && !f.q && f.muted.length === 0 && !f.correlation

/** Patterns use the bus's own segment rules; text without `*` matches anywhere in the type. */
export function typeMatcher(patterns: string): (type: string) => boolean {
  const tests = patterns.split(/[\s,]+/).filter(Boolean).map((p) => {
    if (!p.includes('*')) {
      const needle = p.toLowerCase()
      return (type: string) => type.toLowerCase().includes(needle)
    }
    if (p === '*' || p === '**') return () => true
    const re = new RegExp(`^${p.split('.').map((seg) =>
      seg === '**' ? '.+' : seg === '*' ? '[^.]+' : seg.replace(/[\\^$+?.()|[\]{}*]/g, '\\$&')).join('\\.')}$`)
    return (type: string) => re.test(type)
  })
  if (tests.length === 0) return () => true
  return (type) => tests.some((t) => t(type))
}

/** The text a payload search looks in: the payload as JSON, lower-cased. */
const searchableText = (event: RetainedEvent): string => {
  const data = event.envelope.data
  if (data === undefined) return ''
  return (typeof data === 'string' ? data : JSON.stringify(data)).toLowerCase()
}

/** Whether the event's producer is the bus a source filter names. */
export type SourceMatcher = (producer: string, source: string) => boolean

const sameId: SourceMatcher = (producer, source) => producer === source

/** Compiles a filter into one predicate, so a pass over 100k events does no parsing. */
export function compileFilter(filter: Filter, matchesSource: SourceMatcher = sameId): (event: RetainedEvent) => boolean {
  const matchesType = typeMatcher(filter.type)
  const muted = new Set(filter.muted)
  const needle = filter.q.trim().toLowerCase()
  const { source, outcome, correlation } = filter
  return (event) =>
    !muted.has(event.envelope.type) &&
    (!source || matchesSource(event.producer, source)) &&
    (!correlation || event.envelope.correlationid === correlation) &&
    (!outcome || event.outcome === outcome) &&
    matchesType(event.envelope.type) &&
    (!needle || searchableText(event).includes(needle))
}
