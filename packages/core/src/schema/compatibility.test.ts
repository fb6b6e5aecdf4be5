import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCatalog, defineEvent } from '@tidings/core'
import { checkCatalog } from './compatibility'
import { readSnapshot, snapshotCatalog } from './snapshot'

const v1 = defineEvent('order.placed', { schema: v.object({ orderId: v.string(), amount: v.number() }), examples: [{ orderId: 'o-1', amount: 5 }] })
const snapshot = snapshotCatalog(defineCatalog(v1))
const v2Schema = v.object({ orderId: v.string(), amount: v.number(), currency: v.string() })

describe('checkCatalog()', () => {
  it('passes an unchanged catalog', () => {
    expect(checkCatalog(defineCatalog(v1), snapshot)).toEqual({ problems: [], notes: [] })
  })

  it('fails a schema changed without a version bump, naming the field and what to do', () => {
    const changed = defineCatalog(defineEvent('order.placed', { schema: v2Schema }))
    expect(checkCatalog(changed, snapshot).problems).toEqual([
      {
        code: 'schema-changed', type: 'order.placed', version: 1, path: 'currency',
        message: expect.stringMatching(/^field added \(required\) without a version bump: .*version: 2 with upcast\[1\]/),
      },
      expect.objectContaining({ code: 'example-invalid', version: 1, path: 'currency', message: expect.stringMatching(/a v1 example no longer validates/) }),
    ])
  })

  it('passes a version bump whose upcaster turns the old examples into valid payloads, noting the snapshot is behind', () => {
    const bumped = defineCatalog(defineEvent('order.placed', { version: 2, schema: v2Schema, upcast: { 1: (old) => ({ ...old, currency: 'EUR' }) } }))
    expect(checkCatalog(bumped, snapshot)).toEqual({
      problems: [],
      notes: [{ type: 'order.placed', version: 2, message: expect.stringContaining('tidings catalog snapshot') }],
    })
  })

  it('fails a version bump whose upcaster output does not validate, at the field', () => {
    const bumped = defineCatalog(defineEvent('order.placed', { version: 2, schema: v2Schema, upcast: { 1: (old) => old } }))
    expect(checkCatalog(bumped, snapshot).problems).toEqual([
      expect.objectContaining({ code: 'upcast-invalid', type: 'order.placed', version: 1, path: 'currency', message: expect.stringMatching(/fix the upcasters from v1/) }),
    ])
  })

  it('fails a catalog that needs an upcaster it does not have (built without defineEvent)', () => {
    const bumped = defineCatalog({ ...defineEvent('order.placed', { schema: v2Schema }), version: 2 })
    expect(checkCatalog(bumped, snapshot).problems.map((p) => p.code)).toContain('missing-upcaster')
  })

  it('fails a removed type and a lowered version', () => {
    expect(checkCatalog(defineCatalog(), snapshot).problems).toEqual([expect.objectContaining({ code: 'type-removed', type: 'order.placed' })])
    const later = snapshotCatalog(defineCatalog(defineEvent('order.placed', { version: 2, schema: v2Schema, upcast: { 1: (d) => d } })))
    expect(checkCatalog(defineCatalog(v1), later).problems).toEqual([expect.objectContaining({ code: 'version-lowered', version: 1 })])
  })

  it('compares JSON Schemas across libraries: the same payload in zod is no change', () => {
    const zodV1 = defineEvent('order.placed', { schema: z.object({ orderId: z.string(), amount: z.number() }) })
    expect(checkCatalog(defineCatalog(zodV1), snapshotCatalog(defineCatalog(defineEvent('order.placed', { schema: z.object({ orderId: z.string(), amount: z.number() }) }))))).toEqual({ problems: [], notes: [] })
    const zodChanged = defineEvent('order.placed', { schema: z.object({ orderId: z.string(), amount: z.string() }) })
    expect(checkCatalog(defineCatalog(zodChanged), snapshotCatalog(defineCatalog(zodV1))).problems).toEqual([
      expect.objectContaining({ code: 'schema-changed', path: 'amount', message: expect.stringMatching(/^type number → string/) }),
    ])
  })

  it('fails golden events that no longer decode, and notes types the snapshot lacks', () => {
    const other = defineEvent('user.signed-up', { schema: v.object({ email: v.string() }) })
    const golden = [
      { specversion: '1.0', id: '1', source: '/shop', type: 'order.placed', dataversion: 1, data: { orderId: 'o-1', amount: 1 } },
      JSON.stringify({ specversion: '1.0', id: '2', source: '/shop', type: 'order.placed', dataversion: 1, data: { orderId: 'o-2' } }),
    ]
    const report = checkCatalog(defineCatalog(v1, other), snapshot, { golden })
    expect(report.problems).toEqual([expect.objectContaining({ code: 'golden-invalid', type: 'order.placed', version: 1, path: 'amount' })])
    expect(report.notes).toEqual([expect.objectContaining({ type: 'user.signed-up' })])
  })
})

describe('snapshotCatalog()', () => {
  it('keeps older versions and their examples, and removed types unless pruned', () => {
    const bumped = defineCatalog(defineEvent('order.placed', { version: 2, schema: v2Schema, upcast: { 1: (d) => d } }))
    const next = snapshotCatalog(bumped, { previous: snapshotCatalog(defineCatalog(v1, defineEvent('gone', { schema: v.string() }))) })
    expect(Object.keys(next.types)).toEqual(['gone', 'order.placed'])
    expect(next.types['order.placed']).toMatchObject({ version: 2, versions: { 1: { vendor: 'valibot', examples: [{ orderId: 'o-1', amount: 5 }] }, 2: { examples: [] } } })
    expect(Object.keys(snapshotCatalog(bumped, { previous: next, prune: true }).types)).toEqual(['order.placed'])
  })

  it('round-trips through JSON, and readSnapshot refuses what is not one', () => {
    expect(readSnapshot(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot)
    expect(() => readSnapshot({ types: {} })).toThrowError(/Not a catalog snapshot/)
    expect(() => readSnapshot({ ...snapshot, format: 2 })).toThrowError(/format 2/)
    expect(() => readSnapshot({ ...snapshot, types: { a: { version: 2, versions: {} } } })).toThrowError(/"a" needs/)
  })
})
