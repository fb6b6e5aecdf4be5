import { TidingsError } from '@tidings/core'

// NATS splits subjects on '.', treats a whole-token '*' or '>' as a wildcard and forbids
// whitespace; consumer names also forbid '.' and path separators. Such characters (and '%', the
// escape itself) become %XX, so that every event type and subscription name maps to exactly one
// valid subject or consumer name. An empty token becomes a lone '%', which no escape produces.
const TOKEN_UNSAFE = /[\s*>%\u0000-\u001f\u007f]/g
const NAME_UNSAFE = /[\s*>%./\\\u0000-\u001f\u007f]/g
const escapeChar = (c: string): string => {
  const code = c.charCodeAt(0)
  return code < 0x100 ? `%${code.toString(16).padStart(2, '0').toUpperCase()}` : encodeURIComponent(c)
}
const token = (segment: string): string => (segment === '' ? '%' : segment.replace(TOKEN_UNSAFE, escapeChar))

/** Checks a subject prefix such as 'tidings' or 'acme.events': dot-separated tokens, no wildcards. */
export const checkPrefix = (prefix: string): string => {
  if (typeof prefix !== 'string' || prefix.split('.').some((t) => t === '' || t !== token(t))) {
    throw new TidingsError('E_INVALID_ARGUMENT', `natsTransport: subjectPrefix must be dot-separated NATS tokens without wildcards or whitespace; got ${JSON.stringify(prefix)}`, { details: { field: 'subjectPrefix' } })
  }
  return prefix
}

/** The subject an event type is published on: 'order.placed' → 'tidings.order.placed'. */
export const subjectOf = (prefix: string, type: string): string => `${prefix}.${type.split('.').map(token).join('.')}`

/**
 * The filter subject of a subscription key: '*' (everything) → 'tidings.>'; 'order.*' →
 * 'tidings.order.*'; 'order.**' → 'tidings.order.>'. NATS allows '>' only as the last token, so
 * a '**' elsewhere widens the filter from there on: `exact` is then false and the consumer
 * checks each event against the key itself.
 */
export const filterOf = (prefix: string, key: string): { subject: string; exact: boolean } => {
  if (key === '*') return { subject: `${prefix}.>`, exact: true }
  const out: string[] = []
  for (const segment of key.split('.')) {
    if (segment === '**') {
      out.push('>')
      return { subject: `${prefix}.${out.join('.')}`, exact: out.length === key.split('.').length }
    }
    out.push(segment === '*' ? '*' : token(segment))
  }
  return { subject: `${prefix}.${out.join('.')}`, exact: true }
}

/** Whether an event type matches a subscription key, as the bus matches patterns. */
export const keyMatcher = (key: string): ((type: string) => boolean) => {
  if (key === '*') return () => true
  const re = new RegExp(`^${key.split('.')
    .map((s) => (s === '**' ? '.+' : s === '*' ? '[^.]+' : s.replace(/[\\^$+?.()|[\]{}*]/g, '\\$&')))
    .join('\\.')}$`)
  return (type) => re.test(type)
}

/** Whether `key` is an event type or a pattern the bus accepts: '*' alone, or segments where '*' and '**' stand whole. */
export const isKey = (key: string): boolean =>
  key === '*' || (key !== '' && key.split('.').every((s) => s !== '' && (!s.includes('*') || s === '*' || s === '**')))

const overlap = (a: readonly string[], i: number, b: readonly string[], j: number): boolean => {
  if (i === a.length || j === b.length) return i === a.length && j === b.length
  const x = a[i]!
  const y = b[j]!
  // '**' takes one segment, then either stops or takes more.
  if (x === '**') return overlap(a, i + 1, b, j + 1) || overlap(a, i, b, j + 1)
  if (y === '**') return overlap(a, i + 1, b, j + 1) || overlap(a, i + 1, b, j)
  return (x === '*' || y === '*' || x === y) && overlap(a, i + 1, b, j + 1)
}

/** Whether some event type matches both keys (types or patterns): a subscription to one can receive events of the other. */
export const keysOverlap = (a: string, b: string): boolean => a === '*' || b === '*' || overlap(a.split('.'), 0, b.split('.'), 0)

/** The durable consumer of a subscription name: the name itself, with what NATS forbids escaped. */
export const durableOf = (name: string): string => (name === '' ? '%' : name.replace(NAME_UNSAFE, escapeChar))
