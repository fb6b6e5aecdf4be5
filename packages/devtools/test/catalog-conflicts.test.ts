import type { CatalogEntry, ProducerInfo } from '@tidings/core'
import { describe, expect, it } from 'vitest'
import { catalogConflicts } from '../src/state/catalog-conflicts'

const bus = (name: string, ...catalog: CatalogEntry[]): ProducerInfo =>
  ({ id: `${name}-id`, name, source: `/${name}`, connectedAt: 1, paused: false, dropped: 0, catalog })
const entry = (type: string, version: number, schema?: Record<string, unknown>): CatalogEntry => ({ type, version, persist: true, ...(schema && { schema }) })
const order = { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] }

describe('catalogConflicts()', () => {
  it('flags a type two buses define at different versions, naming who defines which', () => {
    const conflicts = catalogConflicts([bus('shop', entry('order.placed', 2, order)), bus('billing', entry('order.placed', 1, order))])
    expect([...conflicts]).toEqual([['order.placed', 'order.placed is defined differently: v2 in shop; v1 in billing']])
  })

  it('flags the same version with another payload schema, and ignores key order', () => {
    const reordered = { required: ['orderId'], properties: { orderId: { type: 'string' } }, type: 'object' }
    expect(catalogConflicts([bus('shop', entry('order.placed', 1, order)), bus('mailer', entry('order.placed', 1, reordered))]).size).toBe(0)
    const other = { ...order, properties: { orderId: { type: 'number' } } }
    const conflicts = catalogConflicts([bus('shop', entry('order.placed', 1, order)), bus('a', entry('order.placed', 1, other)), bus('b', entry('order.placed', 1, order))])
    expect(conflicts.get('order.placed')).toBe('order.placed is defined differently: v1 (schema A) in shop, b; v1 (schema B) in a')
  })

  it('says nothing of types defined once or alike', () => {
    expect(catalogConflicts([bus('shop', entry('order.placed', 1, order), entry('mail.send', 1)), bus('mailer', entry('mail.send', 1))]).size).toBe(0)
  })
})
