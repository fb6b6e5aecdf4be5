import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBus, isTidingsError } from '@tidings/core'
import type { DeadLetterEntry, EmitOptions, Envelope, ReadQuery, Store, StoredRecord } from '@tidings/core'

export interface StoreUnderTest {
  store: Store
  /** Closes nothing: opens a second store on the same data after the first was closed. */
  reopen?: () => Promise<Store>
  cleanup?: () => Promise<void>
}

const T0 = Date.parse('2024-05-01T10:00:00.000Z')
const MINUTE = 60_000

const source = createBus({ source: '/contract' })

/** An envelope made the way a bus makes them, `minutes` after T0. */
const event = (type: string, data: unknown, minutes: number, extra: EmitOptions = {}): Envelope =>
  source.emit(type, data, { time: T0 + minutes * MINUTE, ...extra })

const json = (e: Envelope) => JSON.parse(JSON.stringify(e)) as unknown

const collect = async (store: Store, query?: ReadQuery): Promise<StoredRecord[]> => {
  const out: StoredRecord[] = []
  for await (const record of store.read(query)) out.push(record)
  return out
}

const ids = (records: StoredRecord[]) => records.map((r) => r.envelope.id)

const deadLetter = (id: string, envelope: Envelope, attempts = 4): DeadLetterEntry => ({
  id,
  envelope,
  subscription: 'send-receipt',
  attempts,
  firstFailedAt: '2024-05-01T10:00:00.000Z',
  lastFailedAt: '2024-05-01T10:00:01.500Z',
  error: { name: 'TypeError', message: 'mail server down', stack: 'TypeError: mail server down\n    at send', code: 'ECONNREFUSED' },
})

const rejectsClosed = async (action: () => Promise<unknown>) => {
  const error = await action().then(() => undefined, (e: unknown) => e)
  expect(isTidingsError(error, 'E_CLOSED'), `expected E_CLOSED, got ${String(error)}`).toBe(true)
}

/**
 * The behaviour every Store promises. Runs unchanged against each store; `makeStore` gives a fresh,
 * empty store per test (and, where the store persists, a way to open its data again).
 */
/** `persistent: false` for stores that cannot be reopened (memory): the reopening specs do not apply. */
export function describeStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>, { persistent = true } = {}): void {
  describe(`${name} (Store contract)`, () => {
    let subject: StoreUnderTest
    let store: Store
    const opened: Store[] = []

    beforeEach(async () => {
      subject = await makeStore()
      store = subject.store
      opened.push(store)
    })

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close()
      await subject.cleanup?.()
    })

    /** The shared fixture: 6 events of 3 types, one minute apart, appended in two batches. */
    const seed = async () => {
      const events = [
        event('order.placed', { n: 1 }, 0),
        event('order.shipped', { n: 2 }, 1),
        event('user.signed-up', { n: 3 }, 2),
        event('order.placed', { n: 4 }, 3),
        event('order.shipped', { n: 5 }, 4),
        event('order.placed', { n: 6 }, 5),
      ]
      await store.append(events.slice(0, 4))
      await store.append(events.slice(4))
      return events
    }

    describe('append() and read()', () => {
      it('reads nothing from an empty log', async () => {
        expect(await collect(store)).toEqual([])
        expect(await store.count()).toBe(0)
      })

      it('can be used before ready resolves, and ready resolves', async () => {
        const appended = store.append([event('order.placed', { n: 1 }, 0)])
        await Promise.all([store.ready, appended])
        expect(await store.count()).toBe(1)
      })

      it('gives each envelope a position that increases in append order', async () => {
        const events = await seed()
        const records = await collect(store)
        expect(ids(records)).toEqual(events.map((e) => e.id))
        for (let i = 1; i < records.length; i++) expect(records[i]!.position).toBeGreaterThan(records[i - 1]!.position)
        expect(records.every((r) => Number.isSafeInteger(r.position) && r.position > 0)).toBe(true)
      })

      it('keeps call order for appends that were not awaited one by one', async () => {
        const batches = [0, 1, 2, 3].map((b) => [event('order.placed', { b, i: 0 }, b), event('order.placed', { b, i: 1 }, b)])
        await Promise.all(batches.map((batch) => store.append(batch)))
        expect(ids(await collect(store))).toEqual(batches.flat().map((e) => e.id))
      })

      it('ignores an empty batch', async () => {
        await store.append([])
        expect(await store.count()).toBe(0)
      })

      it('returns every envelope attribute as it was appended', async () => {
        const original = event('order.placed', { orderId: 'A-1', lines: [{ sku: 'x', qty: 2 }], note: 'ünïcödé ✓', gift: null }, 0, {
          id: 'order-A-1', correlationid: 'checkout-9', causationid: 'cart-7', extensions: { tenant: 'acme', priority: 2, test: true },
        })
        await store.append([original])
        const [record] = await collect(store)
        const read = record!.envelope
        expect(json(read)).toEqual(json(original))
        expect(read.id).toBe('order-A-1')
        expect(read.time).toBe('2024-05-01T10:00:00.000Z')
        expect(read.dataversion).toBe(1)
        expect(read.correlationid).toBe('checkout-9')
        expect(read.extensions).toEqual({ tenant: 'acme', priority: 2, test: true })
      })

      it('lets a reader stop early and keeps working afterwards', async () => {
        await seed()
        const seen: string[] = []
        for await (const record of store.read()) {
          seen.push(record.envelope.id)
          if (seen.length === 2) break
        }
        expect(seen).toHaveLength(2)
        await store.append([event('order.placed', { n: 7 }, 6)])
        expect(await store.count()).toBe(7)
      })

      it('reads a log of thousands of events in order, both ways', async () => {
        const events = Array.from({ length: 2500 }, (_, i) => event(i % 5 === 0 ? 'audit.logged' : 'order.placed', { i, pad: 'x'.repeat(40) }, i / 60))
        for (let i = 0; i < events.length; i += 500) await store.append(events.slice(i, i + 500))
        expect(ids(await collect(store))).toEqual(events.map((e) => e.id))
        expect(ids(await collect(store, { order: 'desc' }))).toEqual(events.map((e) => e.id).reverse())
        const audits = events.filter((e) => e.type === 'audit.logged').map((e) => e.id)
        expect(ids(await collect(store, { types: ['audit.logged'], order: 'desc' }))).toEqual([...audits].reverse())
        expect(await store.count({ types: ['audit.logged'] })).toBe(500)
        expect(await store.count()).toBe(2500)
      })
    })

    describe('read() filters', () => {
      it('after and before select a position range (both exclusive)', async () => {
        const events = await seed()
        const all = await collect(store)
        const p = all.map((r) => r.position)
        expect(ids(await collect(store, { after: p[1] }))).toEqual(events.slice(2).map((e) => e.id))
        expect(ids(await collect(store, { before: p[2] }))).toEqual(events.slice(0, 2).map((e) => e.id))
        expect(ids(await collect(store, { after: p[0], before: p[4] }))).toEqual(events.slice(1, 4).map((e) => e.id))
        expect(await collect(store, { after: p[5] })).toEqual([])
        expect(await collect(store, { after: p[3], before: p[3] })).toEqual([])
      })

      it('types keeps only the listed event types', async () => {
        const events = await seed()
        expect(ids(await collect(store, { types: ['order.shipped'] }))).toEqual([events[1]!.id, events[4]!.id])
        expect(ids(await collect(store, { types: ['user.signed-up', 'order.shipped'] }))).toEqual([events[1]!.id, events[2]!.id, events[4]!.id])
        expect(await collect(store, { types: ['nothing.here'] })).toEqual([])
        expect(await collect(store, { types: [] })).toEqual([])
      })

      it('since is inclusive and until exclusive, as epoch ms, RFC 3339 strings or Dates', async () => {
        const events = await seed()
        const middle = events.slice(2, 4).map((e) => e.id)
        expect(ids(await collect(store, { since: T0 + 2 * MINUTE, until: T0 + 4 * MINUTE }))).toEqual(middle)
        expect(ids(await collect(store, { since: '2024-05-01T10:02:00.000Z', until: '2024-05-01T10:04:00.000Z' }))).toEqual(middle)
        expect(ids(await collect(store, { since: new Date(T0 + 2 * MINUTE), until: new Date(T0 + 4 * MINUTE) }))).toEqual(middle)
        expect(ids(await collect(store, { since: T0 + 4 * MINUTE }))).toEqual(events.slice(4).map((e) => e.id))
        expect(ids(await collect(store, { until: T0 + MINUTE }))).toEqual([events[0]!.id])
      })

      it('filters by event time, not by position, when events arrive out of time order', async () => {
        const late = event('order.placed', { late: true }, -30)
        const events = await seed()
        await store.append([late])
        expect(ids(await collect(store, { until: T0 }))).toEqual([late.id])
        expect(ids(await collect(store, { since: T0 - 60 * MINUTE, until: T0 + MINUTE, order: 'desc' }))).toEqual([late.id, events[0]!.id])
      })

      it('limit caps how many records are read', async () => {
        const events = await seed()
        expect(ids(await collect(store, { limit: 2 }))).toEqual(events.slice(0, 2).map((e) => e.id))
        expect(await collect(store, { limit: 0 })).toEqual([])
        expect(await collect(store, { limit: 100 })).toHaveLength(6)
      })

      it("order: 'desc' reads newest first, and limit then keeps the newest", async () => {
        const events = await seed()
        expect(ids(await collect(store, { order: 'desc' }))).toEqual(events.map((e) => e.id).reverse())
        expect(ids(await collect(store, { order: 'desc', limit: 2 }))).toEqual([events[5]!.id, events[4]!.id])
        const p = (await collect(store)).map((r) => r.position)
        expect(ids(await collect(store, { order: 'desc', before: p[4], limit: 2 }))).toEqual([events[3]!.id, events[2]!.id])
        expect(ids(await collect(store, { order: 'desc', after: p[3] }))).toEqual([events[5]!.id, events[4]!.id])
      })

      it('combines every filter', async () => {
        const events = await seed()
        const p = (await collect(store)).map((r) => r.position)
        const query: ReadQuery = { types: ['order.placed', 'order.shipped'], since: T0 + MINUTE, until: T0 + 5 * MINUTE, after: p[0], before: p[5] }
        expect(ids(await collect(store, query))).toEqual([events[1]!.id, events[3]!.id, events[4]!.id])
        expect(ids(await collect(store, { ...query, order: 'desc', limit: 2 }))).toEqual([events[4]!.id, events[3]!.id])
      })
    })

    describe('read() against a model', () => {
      it('agrees with a plain filter of the log on random queries over many small batches', async () => {
        let seed = 7
        const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
        const kinds = ['order.placed', 'order.shipped', 'user.signed-up']
        const events: Envelope[] = []
        for (let b = 0; b < 40; b++) {
          const batch = Array.from({ length: 1 + Math.floor(random() * 7) }, () => event(pick(kinds), { n: events.length }, Math.floor(random() * 300)))
          events.push(...batch)
          await store.append(batch)
        }
        const records = await collect(store)
        expect(ids(records)).toEqual(events.map((e) => e.id))
        const positions = records.map((r) => r.position)
        const maybe = <T>(value: () => T): T | undefined => (random() < 0.5 ? value() : undefined)
        for (let q = 0; q < 60; q++) {
          const query: ReadQuery = {
            after: maybe(() => pick(positions) - (random() < 0.3 ? 1 : 0)),
            before: maybe(() => pick(positions) + (random() < 0.3 ? 1 : 0)),
            types: maybe(() => kinds.filter(() => random() < 0.5)),
            since: maybe(() => T0 + Math.floor(random() * 300) * MINUTE),
            until: maybe(() => T0 + Math.floor(random() * 300) * MINUTE),
            limit: maybe(() => Math.floor(random() * 20)),
            order: random() < 0.5 ? 'desc' : 'asc',
          }
          const model = records.filter((r) => {
            const t = Date.parse(r.envelope.time)
            return r.position > (query.after ?? 0) && r.position < (query.before ?? Infinity)
              && (!query.types || query.types.includes(r.envelope.type))
              && t >= ((query.since as number | undefined) ?? -Infinity) && t < ((query.until as number | undefined) ?? Infinity)
          })
          if (query.order === 'desc') model.reverse()
          const expected = model.slice(0, query.limit ?? Infinity)
          expect(ids(await collect(store, query)), JSON.stringify(query)).toEqual(ids(expected))
          expect(await store.count(query), JSON.stringify(query)).toBe(expected.length)
        }
      })
    })

    describe('count()', () => {
      it('counts what read() would yield', async () => {
        await seed()
        const p = (await collect(store)).map((r) => r.position)
        expect(await store.count()).toBe(6)
        expect(await store.count({ types: ['order.placed'] })).toBe(3)
        expect(await store.count({ after: p[3] })).toBe(2)
        expect(await store.count({ since: T0 + 3 * MINUTE, types: ['order.shipped'] })).toBe(1)
        expect(await store.count({ before: p[0] })).toBe(0)
      })
    })

    describe('dead letters', () => {
      it('stores, lists and deletes entries', async () => {
        const a = deadLetter('dl-a', event('order.placed', { n: 1 }, 0))
        const b = deadLetter('dl-b', event('order.shipped', { n: 2 }, 1, { correlationid: 'c-1' }))
        expect(await store.listDeadLetters()).toEqual([])
        await store.putDeadLetter(a)
        await store.putDeadLetter(b)
        const listed = await store.listDeadLetters()
        expect(listed.map((e) => e.id).sort()).toEqual(['dl-a', 'dl-b'])
        await store.deleteDeadLetter('dl-a')
        expect((await store.listDeadLetters()).map((e) => e.id)).toEqual(['dl-b'])
      })

      it('keeps every field of an entry, its envelope included', async () => {
        const entry = deadLetter('dl-full', event('order.placed', { orderId: 'A-1' }, 0, { causationid: 'cart-1', extensions: { tenant: 'acme' } }))
        await store.putDeadLetter(entry)
        const [read] = await store.listDeadLetters()
        const { envelope, ...rest } = read!
        const { envelope: original, ...expected } = entry
        expect(rest).toEqual(expected)
        expect(json(envelope)).toEqual(json(original))
      })

      it('replaces an entry put again with the same id', async () => {
        const e = event('order.placed', { n: 1 }, 0)
        await store.putDeadLetter(deadLetter('dl-a', e, 4))
        await store.putDeadLetter({ ...deadLetter('dl-a', e, 5), error: { name: 'Error', message: 'still down' } })
        const listed = await store.listDeadLetters()
        expect(listed).toHaveLength(1)
        expect(listed[0]!.attempts).toBe(5)
        expect(listed[0]!.error).toEqual({ name: 'Error', message: 'still down' })
      })

      it('treats deleting an unknown id as done', async () => {
        await expect(store.deleteDeadLetter('never-stored')).resolves.toBeUndefined()
      })

      it('keeps dead letters apart from the event log', async () => {
        await store.putDeadLetter(deadLetter('dl-a', event('order.placed', { n: 1 }, 0)))
        expect(await store.count()).toBe(0)
      })
    })

    describe('flush() and close()', () => {
      it('flush resolves once appends and dead letters are accepted', async () => {
        void store.append([event('order.placed', { n: 1 }, 0)])
        void store.putDeadLetter(deadLetter('dl-a', event('order.placed', { n: 2 }, 0)))
        await store.flush()
        expect(await store.count()).toBe(1)
        expect(await store.listDeadLetters()).toHaveLength(1)
      })

      it('rejects every use after close with E_CLOSED', async () => {
        await seed()
        await store.close()
        await rejectsClosed(() => store.append([event('order.placed', { n: 9 }, 9)]))
        await rejectsClosed(() => collect(store))
        await rejectsClosed(() => store.count())
        await rejectsClosed(() => store.putDeadLetter(deadLetter('dl-x', event('order.placed', { n: 9 }, 9))))
        await rejectsClosed(() => store.listDeadLetters())
        await rejectsClosed(() => store.deleteDeadLetter('dl-x'))
        await expect(store.close()).resolves.toBeUndefined()
      })

      it('writes what was appended before close', async () => {
        const appended = store.append([event('order.placed', { n: 1 }, 0)])
        await store.close()
        await appended
        if (!subject.reopen) return
        const again = await subject.reopen()
        opened.push(again)
        expect(await again.count()).toBe(1)
      })
    })

    if (persistent) describe('reopening', () => {
      const reopen = async (): Promise<Store> => {
        await store.close()
        const again = await subject.reopen!()
        opened.push(again)
        return again
      }

      it('keeps the log and the dead letters', async () => {
        const events = await seed()
        const before = await collect(store)
        await store.putDeadLetter(deadLetter('dl-a', events[0]!))
        await store.putDeadLetter(deadLetter('dl-b', events[1]!))
        await store.deleteDeadLetter('dl-a')
        const again = await reopen()
        const after = await collect(again)
        expect(after.map((r) => r.position)).toEqual(before.map((r) => r.position))
        expect(after.map((r) => json(r.envelope))).toEqual(events.map(json))
        expect(await again.count({ types: ['order.placed'] })).toBe(3)
        expect(ids(await collect(again, { order: 'desc', limit: 1 }))).toEqual([events[5]!.id])
        const dead = await again.listDeadLetters()
        expect(dead.map((e) => e.id)).toEqual(['dl-b'])
        expect(json(dead[0]!.envelope)).toEqual(json(events[1]!))
      })

      it('never reuses a position', async () => {
        await seed()
        const last = (await collect(store, { order: 'desc', limit: 1 }))[0]!.position
        const again = await reopen()
        const next = event('order.placed', { n: 7 }, 6)
        await again.append([next])
        const [record] = await collect(again, { after: last })
        expect(record!.envelope.id).toBe(next.id)
        expect(record!.position).toBeGreaterThan(last)
      })
    })
  })
}
