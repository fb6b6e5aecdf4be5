import type { DeadLetterJSON } from '@tidings/core'

/** One dead letter as the DLQ tab lists it. */
export interface DlqRow {
  producer: string
  /** The bus's name, as the filter matches it. */
  bus: string
  entry: DeadLetterJSON
  /** The bus is connected: only then can it act on the entry. */
  online: boolean
}

export const dlqRowKey = (row: DlqRow): string => `${row.producer}\u0000${row.entry.id}`

/** How a message names an entry: what failed where, and which event. */
export const deadLetterLabel = (entry: DeadLetterJSON): string =>
  `${entry.envelope.type} → ${entry.subscription} (event ${entry.envelope.id})`

/**
 * The rows a filter lets through, sorted by when they last failed. The text is looked for,
 * case-insensitively, in the type, subscription, error, bus name and event id.
 */
export function dlqRows(rows: readonly DlqRow[], text: string, newestFirst: boolean): DlqRow[] {
  const needle = text.trim().toLowerCase()
  const shown = needle === '' ? [...rows] : rows.filter(({ entry, bus }) =>
    [entry.envelope.type, entry.subscription, `${entry.error.name}: ${entry.error.message}`, bus, entry.envelope.id]
      .some((field) => field.toLowerCase().includes(needle)))
  const order = newestFirst ? -1 : 1
  return shown.sort((a, b) => order * (Date.parse(a.entry.lastFailedAt) - Date.parse(b.entry.lastFailedAt)))
}
