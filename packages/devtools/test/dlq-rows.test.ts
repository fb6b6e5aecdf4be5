import type { DeadLetterJSON } from '@tidings/core'
import { describe, expect, it } from 'vitest'
import { describeRetry } from '../src/dlq-actions'
import { deadLetterLabel, dlqRows } from '../src/state/dlq-rows'
import type { DlqRow } from '../src/state/dlq-rows'
import { envelope } from './fixtures'

const row = (id: string, type: string, lastFailedAt: string, message = 'SMTP down', bus = 'shop'): DlqRow => ({
  producer: `${bus}-id`, bus, online: true,
  entry: {
    id, envelope: envelope(type, {}, { id: `ev-${id}` }), subscription: 'smtp', attempts: 2,
    firstFailedAt: lastFailedAt, lastFailedAt, error: { name: 'Error', message },
  } satisfies DeadLetterJSON,
})

const rows = [
  row('d1', 'mail.send', '2026-12-07T10:00:02.000Z'),
  row('d2', 'order.placed', '2026-12-07T10:00:03.000Z', 'card declined', 'billing'),
  row('d3', 'mail.send', '2026-12-07T10:00:01.000Z'),
]

describe('dlqRows()', () => {
  it('sorts by when an entry last failed, newest or oldest first', () => {
    expect(dlqRows(rows, '', true).map((r) => r.entry.id)).toEqual(['d2', 'd1', 'd3'])
    expect(dlqRows(rows, '', false).map((r) => r.entry.id)).toEqual(['d3', 'd1', 'd2'])
  })

  it('filters on type, subscription, error, bus and event id, ignoring case', () => {
    expect(dlqRows(rows, 'MAIL', true).map((r) => r.entry.id)).toEqual(['d1', 'd3'])
    expect(dlqRows(rows, 'declined', true).map((r) => r.entry.id)).toEqual(['d2'])
    expect(dlqRows(rows, 'billing', true).map((r) => r.entry.id)).toEqual(['d2'])
    expect(dlqRows(rows, 'ev-d3', true).map((r) => r.entry.id)).toEqual(['d3'])
    expect(dlqRows(rows, 'smtp', true)).toHaveLength(3)
    expect(dlqRows(rows, 'nothing like it', true)).toEqual([])
  })
})

describe('describeRetry()', () => {
  const nameOf = (id: string) => {
    const found = rows.find((r) => r.entry.id === id)
    return found && deadLetterLabel(found.entry)
  }

  it('names the entry it retried', () => {
    expect(describeRetry({ succeeded: ['d1'], failed: [] }, nameOf)).toEqual({ ok: true, text: 'Retried mail.send → smtp (event ev-d1): delivered this time' })
  })

  it('names every entry of a selection, and what failed again', () => {
    expect(describeRetry({ succeeded: ['d1', 'd3'], failed: [] }, nameOf).text)
      .toBe('Retried 2, all delivered: mail.send → smtp (event ev-d1); mail.send → smtp (event ev-d3)')
    expect(describeRetry({ succeeded: ['d1'], failed: [{ id: 'd2', error: { name: 'Error', message: 'card declined' } }] }, nameOf))
      .toEqual({ ok: false, text: 'Retried 2, 1 failed again (order.placed → smtp (event ev-d2): card declined)' })
  })

  it('falls back to the entry id, and says when nothing was retried', () => {
    expect(describeRetry({ succeeded: ['x9'], failed: [] }).text).toBe('Retried x9: delivered this time')
    expect(describeRetry({ succeeded: [], failed: [] })).toEqual({ ok: false, text: 'Nothing was retried: the entries were already gone' })
  })
})
