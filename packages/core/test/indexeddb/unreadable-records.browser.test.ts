import { deleteDB, openDB } from 'idb'
import * as v from 'valibot'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBus, createCodec, defineCatalog, defineEvent, history, isTidingsError } from '@tidings/core'
import type { Envelope, Store, TidingsError } from '@tidings/core'
import { indexedDBStore } from '@tidings/core/indexeddb'

const untyped = createCodec()
const bus = createBus({ source: '/idb-damage' })
const placed = (n: number, extra: object = {}) => bus.emit('order.placed', { n, ...extra })

/** An envelope carrying `data` as is, built without emit() (whose own checks may refuse it first). */
const carrying = (id: string, data: unknown): Envelope => {
  const envelope = untyped.decode(JSON.stringify({ specversion: '1.0', id, source: '/x', type: 'order.placed', time: new Date().toISOString(), dataversion: 1, data: null }))
  Object.assign(envelope, { data })
  return envelope
}

const ROUNDS = 100

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as TidingsError)

describe('indexedDBStore() with events it cannot encode or records it cannot read', () => {
  let name: string
  const stores: Store[] = []
  const open = (options: Parameters<typeof indexedDBStore>[0] = {}) => {
    const store = indexedDBStore({ name, ...options })
    stores.push(store)
    const reported: TidingsError[] = []
    store.onError!((error) => reported.push(error))
    return { store, reported }
  }
  const ids = async (store: Store, query = {}) => {
    const out: string[] = []
    for await (const record of store.read(query)) out.push(record.envelope.id)
    return out
  }
  /** Puts a chunk straight into the database, as a damaged disk, a hand edit or another version would leave it. */
  const putRaw = async (record: object) => {
    const db = await openDB(name)
    await db.put('chunks', record)
    db.close()
  }
  const rawCount = async (storeName: 'chunks' | 'deadLetters') => {
    const db = await openDB(name)
    const n = await db.count(storeName)
    db.close()
    return n
  }

  beforeEach(() => {
    name = `tidings-damage-${crypto.randomUUID()}`
  })

  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close().catch(() => {})
    await deleteDB(name)
  })

  it('refuses only the envelopes it cannot encode, stores the others, then rejects with E_ENCODE listing them', async () => {
    const { store } = open()
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const good = [placed(1), placed(2), placed(3)]
    const batch = [good[0]!, carrying('nan', { amount: NaN }), good[1]!, carrying('big', { id: 1n }), carrying('loop', cyclic), good[2]!, carrying('huge', 'x'.repeat(2 * 1024 * 1024))]
    const error = await failure(store.append(batch))
    expect(isTidingsError(error, 'E_ENCODE')).toBe(true)
    expect(error!.message).toMatch(/^4 of 7 events could not be stored: /)
    expect(error!.details).toMatchObject({
      appended: 3,
      refused: [
        { id: 'nan', type: 'order.placed', code: 'E_ENCODE', message: expect.stringContaining('data.amount') },
        { id: 'big', code: 'E_ENCODE' },
        { id: 'loop', code: 'E_ENCODE' },
        { id: 'huge', code: 'E_ENCODE' },
      ],
    })
    expect(await ids(store)).toEqual(good.map((e) => e.id))
    // made durable: a new connection reads them
    expect(await ids(open().store)).toEqual(good.map((e) => e.id))
  })

  it('resolves an append with nothing refused, and rejects one with nothing storable without writing', async () => {
    const { store } = open()
    await store.append([placed(1)])
    const error = await failure(store.append([carrying('inf', { amount: Infinity })]))
    expect(error!.details).toMatchObject({ appended: 0, refused: [{ id: 'inf' }] })
    expect(await store.count()).toBe(1)
  })

  it('skips an event it cannot decode, returns the rest, and reports it once with E_STORAGE_DAMAGED', async () => {
    const { store, reported } = open()
    const events = [placed(1), placed(2), placed(3)]
    await store.append(events)
    // damage the middle event's text in place
    const db = await openDB(name)
    const [chunk] = await db.getAll('chunks')
    const lines = (chunk.e as string).split('\n')
    lines[1] = lines[1]!.slice(0, 20)
    await db.put('chunks', { ...chunk, e: lines.join('\n') })
    db.close()

    expect(await ids(store)).toEqual([events[0]!.id, events[2]!.id])
    expect(reported).toHaveLength(1)
    expect(reported[0]!.code).toBe('E_STORAGE_DAMAGED')
    expect(reported[0]!.details).toMatchObject({ name, store: 'chunks', key: 2, keys: [2], count: 1, first: { code: 'E_DECODE' } })
    // once: a second read skips it silently, and the record is still there
    expect(await ids(store, { order: 'desc' })).toEqual([events[2]!.id, events[0]!.id])
    expect(reported).toHaveLength(1)
    expect(await rawCount('chunks')).toBe(1)
  })

  it('finishes a read even when an onError listener throws on its report', async () => {
    const { store } = open()
    store.onError!(() => {
      throw 10n
    })
    const good = placed(1)
    await store.append([good])
    await putRaw({ from: 2, to: 2, t: ['order.placed'], ms: [Date.now()], e: '{', types: ['order.placed'] })
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(await ids(store)).toEqual([good.id])
    expect(quiet).toHaveBeenCalled()
    quiet.mockRestore()
  })

  it('counts the limit in returned events, so a skipped event does not shorten a page', async () => {
    const { store } = open()
    await store.append([placed(1)])
    await putRaw({ from: 2, to: 2, t: ['order.placed'], ms: [Date.now()], e: '{not json', types: ['order.placed'] })
    const later = [placed(3), placed(4)]
    await store.append(later)
    expect(await ids(store, { limit: 2, after: 1 })).toEqual(later.map((e) => e.id))
    expect(await ids(store, { limit: 1, order: 'desc', before: 4 })).toEqual([later[0]!.id])
  })

  it('skips a chunk whose shape is damaged, reporting how many events it held, and keeps reading', async () => {
    const { store, reported } = open()
    const first = [placed(1), placed(2)]
    await store.append(first)
    await putRaw({ from: 3, to: 5, t: ['order.placed'], ms: [], e: 42, types: ['order.placed'] })
    const last = placed(6)
    await store.append([last])

    expect(await ids(store)).toEqual([...first, last].map((e) => e.id))
    expect(await ids(store, { types: ['order.placed'] })).toEqual([...first, last].map((e) => e.id))
    expect(reported).toHaveLength(1)
    expect(reported[0]!.details).toMatchObject({ store: 'chunks', key: 5, count: 3, first: { code: 'E_STORAGE_DAMAGED' } })
    expect(reported[0]!.message).toContain('3 events of the log')
    expect(await store.count()).toBe(6)
    expect(await rawCount('chunks')).toBe(3)
  })

  it('skips events from a newer version of the app and reports them, and a codec that keeps them reads them', async () => {
    const Placed = defineEvent('order.placed', { schema: v.object({ n: v.number() }) })
    const old = placed(1)
    const { store: writer } = open()
    await writer.append([old])
    await putRaw({ from: 2, to: 2, t: ['order.placed'], ms: [Date.now()], e: JSON.stringify({ specversion: '1.0', id: 'v9', source: '/x', type: 'order.placed', time: new Date().toISOString(), dataversion: 9, data: { n: 'new shape' } }), types: ['order.placed'] })
    const { store, reported } = open({ codec: createCodec(defineCatalog(Placed)) })
    expect(await ids(store)).toEqual([old.id])
    expect(reported[0]!.details).toMatchObject({ key: 2, first: { code: 'E_FUTURE_VERSION' } })
    const { store: keeping } = open({ codec: createCodec(defineCatalog(Placed), { future: 'keep' }) })
    expect(await ids(keeping)).toEqual([old.id, 'v9'])
  })

  it('reads history past an old event whose number was stored as null, reporting it through bus.onError', async () => {
    // What the previous version wrote for { amount: Infinity }: a null where the schema wants a number.
    const before = [placed(1, { amount: 5 }), placed(2, { amount: 6 })]
    const { store: old } = open()
    await old.append([before[0]!])
    await putRaw({ from: 2, to: 2, t: ['order.placed'], ms: [Date.now()], e: JSON.stringify({ specversion: '1.0', id: 'was-infinity', source: '/x', type: 'order.placed', time: new Date().toISOString(), dataversion: 1, data: { n: 9, amount: null } }), types: ['order.placed'] })
    await old.append([before[1]!])
    await old.close()

    const catalog = defineCatalog(defineEvent('order.placed', { schema: v.object({ n: v.number(), amount: v.number() }) }))
    const reader = createBus({ catalog, store: indexedDBStore({ name, codec: createCodec(catalog) }) }, history())
    const errors: TidingsError[] = []
    reader.onError((error) => errors.push(error))
    await reader.ready
    expect((await reader.history({ order: 'asc' })).map((e) => e.id)).toEqual(before.map((e) => e.id))
    expect((await reader.history({ order: 'desc', limit: 1 })).map((e) => e.id)).toEqual([before[1]!.id])
    expect(errors.map((e) => e.code)).toEqual(['E_STORAGE_DAMAGED'])
    expect(errors[0]!.details).toMatchObject({ key: 2, count: 1, first: { code: 'E_VALIDATION' } })
    await reader.close()
  })

  it('lists the dead letters it can read, and reports the others once without deleting them', async () => {
    const { store, reported } = open()
    const good = placed(1)
    const entry = (id: string, envelope: Envelope) => ({
      id, envelope, subscription: 'mailer', attempts: 1, firstFailedAt: new Date().toISOString(), lastFailedAt: new Date().toISOString(), error: { name: 'Error', message: 'down' },
    })
    await store.putDeadLetter(entry('dl-good', good))
    const db = await openDB(name)
    await db.put('deadLetters', { ...entry('dl-bad', good), envelope: { specversion: '1.0', id: 'x' } })
    await db.put('deadLetters', { ...entry('dl-worse', good), envelope: 'not an envelope at all' })
    db.close()

    expect((await store.listDeadLetters()).map((e) => e.id)).toEqual(['dl-good'])
    expect(reported).toHaveLength(1)
    expect(reported[0]!.details).toMatchObject({ store: 'deadLetters', count: 2, keys: expect.arrayContaining(['dl-bad', 'dl-worse']) })
    expect(reported[0]!.message).toContain('2 dead letters')
    expect((await store.listDeadLetters()).map((e) => e.id)).toEqual(['dl-good'])
    expect(reported).toHaveLength(1)
    expect(await rawCount('deadLetters')).toBe(3)
  })

  it('survives random damage to stored event text: every intact event is returned, the rest reported', async () => {
    const { store, reported } = open()
    const events = Array.from({ length: 40 }, (_, i) => placed(i, { text: `event ${i}` }))
    await store.append(events)
    const db = await openDB(name)
    const [chunk] = await db.getAll('chunks')
    const text = chunk.e as string
    const original = text.split('\n')
    let seed = 11
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let round = 0; round < ROUNDS; round++) {
      // one character replaced anywhere but a newline, so the chunk keeps its shape
      let at = Math.floor(random() * text.length)
      while (text[at] === '\n') at = (at + 1) % text.length
      const damaged = text.slice(0, at) + String.fromCharCode(33 + Math.floor(random() * 90)) + text.slice(at + 1)
      await db.put('chunks', { ...chunk, e: damaged })
      const read = await ids(store)
      const intact = damaged.split('\n').flatMap((line, i) => (line === original[i] ? [events[i]!.id] : []))
      expect(read).toEqual(expect.arrayContaining(intact))
      expect(read.length).toBeLessThanOrEqual(40)
    }
    db.close()
    expect(reported.length).toBeGreaterThan(0)
    expect(reported.every((e) => e.code === 'E_STORAGE_DAMAGED')).toBe(true)
  })

  it('survives every kind of damage to a chunk record: other chunks are read, count() answers, nothing throws', async () => {
    const damages: [string, (chunk: Record<string, unknown>) => Record<string, unknown>][] = [
      ['events not text', (c) => ({ ...c, e: 42 })],
      ['events missing', ({ e: _, ...c }) => c],
      ['one line too few', (c) => ({ ...c, e: (c.e as string).split('\n').slice(1).join('\n') })],
      ['types missing', ({ t: _, ...c }) => c],
      ['types not an array', (c) => ({ ...c, t: 'order.placed' })],
      ['times too short', (c) => ({ ...c, ms: [] })],
      ['from after to', (c) => ({ ...c, from: (c.to as number) + 1 })],
      ['from not a number', (c) => ({ ...c, from: 'one' })],
      ['empty text', (c) => ({ ...c, e: '' })],
      ['binary noise', (c) => ({ ...c, e: new Uint8Array([1, 2, 3]) })],
    ]
    for (const [what, damage] of damages) {
      name = `tidings-damage-${crypto.randomUUID()}`
      const { store, reported } = open()
      const before = [placed(1), placed(2)]
      await store.append(before)
      await store.append([placed(3), placed(4), placed(5)])
      const after = [placed(6)]
      await store.append(after)
      const db = await openDB(name)
      const middle = (await db.get('chunks', 5)) as Record<string, unknown>
      await db.put('chunks', damage(middle))
      db.close()
      const expected = [...before, ...after].map((e) => e.id)
      expect(await ids(store), what).toEqual(expected)
      expect(await ids(store, { order: 'desc' }), what).toEqual([...expected].reverse())
      expect(await ids(store, { types: ['order.placed'] }), what).toEqual(expected)
      expect(typeof await store.count({ types: ['order.placed'] }), what).toBe('number')
      expect(reported.map((e) => e.code), what).toEqual(['E_STORAGE_DAMAGED'])
      expect(reported[0]!.details, what).toMatchObject({ store: 'chunks', key: 5 })
      await store.close()
      await deleteDB(name)
    }
  })
})
