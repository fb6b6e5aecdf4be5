import { spawn } from 'node:child_process'
import { appendFile, mkdir, mkdtemp, open, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import * as v from 'valibot'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBus, createCodec, defineCatalog, defineEvent, isTidingsError } from '@tidings/core'
import type { DeadLetterEntry, ReadQuery, Store, StoredRecord, TidingsError } from '@tidings/core'
import { fileStore } from '@tidings/node'
import { describeStoreContract } from '../../core/test/store-contract'

const tempDir = () => mkdtemp(join(tmpdir(), 'tidings-file-store-'))

describeStoreContract("fileStore() with durability 'fsync'", async () => {
  const dir = await tempDir()
  return {
    store: fileStore({ dir }),
    reopen: async () => fileStore({ dir }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
})

describeStoreContract('fileStore() with small segments', async () => {
  const dir = await tempDir()
  const options = { dir, durability: 'none' as const, maxSegmentBytes: 4096 }
  return {
    store: fileStore(options),
    reopen: async () => fileStore(options),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
})

const bus = createBus({ source: '/file-store-test' })
const tick = (n: number, extra: object = {}) => bus.emit('order.placed', { n, ...extra })

const collect = async (store: Store, query?: ReadQuery): Promise<StoredRecord[]> => {
  const out: StoredRecord[] = []
  for await (const record of store.read(query)) out.push(record)
  return out
}

const failure = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error)

const segmentFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.ndjson') && f !== 'dead-letters.ndjson').sort()

const deadLetter = (id: string, attempts = 1): DeadLetterEntry => ({
  id, envelope: tick(0), subscription: 'mailer', attempts,
  firstFailedAt: '2024-05-01T10:00:00.000Z', lastFailedAt: '2024-05-01T10:00:00.000Z', error: { name: 'Error', message: 'down' },
})

/** Counts fdatasync calls on every file handle, and when they finished. */
const spyOnDatasync = async (dir: string) => {
  const handle = await open(join(dir, 'probe'), 'w')
  const proto = Object.getPrototypeOf(handle) as FileHandle
  await handle.close()
  const original = proto.datasync
  const finished: number[] = []
  const spy = vi.spyOn(proto, 'datasync').mockImplementation(async function (this: FileHandle) {
    await original.call(this)
    finished.push(performance.now())
  })
  return { finished, spy, proto }
}

describe('fileStore()', () => {
  let dir: string
  const stores: Store[] = []
  const track = (store: Store) => (stores.push(store), store)

  beforeEach(async () => {
    dir = await tempDir()
  })

  afterEach(async () => {
    vi.restoreAllMocks()
    for (const s of stores.splice(0)) await s.close().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  })

  describe('on disk', () => {
    it('writes one NDJSON line per event: {"c":CRC-32 of the rest,"p":position,"e":CloudEvents JSON}', async () => {
      const store = track(fileStore({ dir }))
      const events = [tick(1), tick(2, { note: 'two' })]
      await store.append(events)
      const [segment] = await segmentFiles(dir)
      expect(segment).toBe('00000000000000000001.ndjson')
      const lines = (await readFile(join(dir, segment!), 'utf8')).split('\n')
      expect(lines.pop()).toBe('')
      expect(lines.map((l) => JSON.parse(l))).toEqual(events.map((e, i) => ({ c: expect.any(Number), p: i + 1, e: JSON.parse(JSON.stringify(e)) })))
      for (const line of lines) {
        const { c } = JSON.parse(line) as { c: number }
        expect(crc32(line.slice(`{"c":${c},`.length, -1))).toBe(c)
      }
    })

    it('starts a new segment, named by its first position, past maxSegmentBytes', async () => {
      const store = track(fileStore({ dir, maxSegmentBytes: 1000 }))
      for (let i = 1; i <= 30; i++) await store.append([tick(i)])
      const files = await segmentFiles(dir)
      expect(files.length).toBeGreaterThan(3)
      for (const f of files) expect((await stat(join(dir, f))).size).toBeLessThanOrEqual(1000)
      const firsts = files.map((f) => Number(f.slice(0, 20)))
      const records = await collect(store)
      expect(records.map((r) => r.position)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
      for (const first of firsts) expect(records.some((r) => r.position === first)).toBe(true)
    })
  })

  describe('durability', () => {
    it("'fsync' fdatasyncs before an append resolves, and group-commits appends made together", async () => {
      const { finished, spy } = await spyOnDatasync(dir)
      const store = track(fileStore({ dir, durability: 'fsync' }))
      await store.ready
      spy.mockClear()
      finished.length = 0
      let resolvedAt = 0
      await store.append([tick(1)]).then(() => (resolvedAt = performance.now()))
      expect(finished).toHaveLength(1)
      expect(finished[0]!).toBeLessThanOrEqual(resolvedAt)
      spy.mockClear()
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.append([tick(i)])))
      expect(spy.mock.calls.length).toBeGreaterThanOrEqual(1)
      expect(spy.mock.calls.length).toBeLessThanOrEqual(2)
      expect(await store.count()).toBe(21)
    })

    it("'interval' resolves appends without fdatasync, syncs on its timer, and on flush()", async () => {
      const { spy } = await spyOnDatasync(dir)
      const store = track(fileStore({ dir, durability: 'interval', syncIntervalMs: 50 }))
      await store.ready
      spy.mockClear()
      await store.append([tick(1)])
      expect(spy).not.toHaveBeenCalled()
      await new Promise((resolve) => setTimeout(resolve, 120))
      expect(spy).toHaveBeenCalled()
      spy.mockClear()
      await store.append([tick(2)])
      await store.flush()
      expect(spy).toHaveBeenCalledTimes(1)
    })

    it("'none' never fdatasyncs appends, flush() included", async () => {
      const { spy } = await spyOnDatasync(dir)
      const store = track(fileStore({ dir, durability: 'none' }))
      await store.ready
      spy.mockClear()
      await store.append([tick(1)])
      await store.putDeadLetter(deadLetter('dl-1'))
      await store.flush()
      expect(spy).not.toHaveBeenCalled()
      expect(await store.count()).toBe(1)
    })

    it('keeps events through a full disk: reports E_STORAGE_QUOTA, cuts partial writes back and retries', async () => {
      const store = track(fileStore({ dir }))
      await store.ready
      const reported: TidingsError[] = []
      store.onError!((error) => reported.push(error))
      const handle = await open(join(dir, 'probe'), 'w')
      const proto = Object.getPrototypeOf(handle) as FileHandle
      await handle.close()
      const original = proto.write
      let calls = 0
      vi.spyOn(proto, 'write').mockImplementation(function (this: FileHandle, ...args: unknown[]) {
        calls++
        const [buf, offset, length] = args as [Buffer, number, number]
        // First call: half the bytes land, then the disk is full; second call: still full.
        if (calls === 1) return (original as (...a: unknown[]) => Promise<unknown>).call(this, buf, offset, Math.floor(length / 2))
        if (calls <= 3) return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))
        return (original as (...a: unknown[]) => Promise<unknown>).apply(this, args)
      } as never)
      const events = [tick(1), tick(2), tick(3)]
      await store.append(events)
      expect(reported.map((e) => e.code)).toEqual(['E_STORAGE_QUOTA', 'E_STORAGE_QUOTA'])
      expect(reported[0]!.details).toMatchObject({ events: 3 })
      vi.restoreAllMocks()
      await store.close()
      const again = track(fileStore({ dir }))
      expect((await collect(again)).map((r) => [r.position, r.envelope.id])).toEqual(events.map((e, i) => [i + 1, e.id]))
    })
  })

  describe('crash recovery on open', () => {
    const lastSegment = async () => join(dir, (await segmentFiles(dir)).at(-1)!)

    it.each([
      ['a record cut short', '{"c":1,"p":4,"e":{"specversion":"1.0","id":"torn'],
      ['zeros the file system never filled', '\0'.repeat(300)],
    ])('cuts off %s at the end of the newest segment, keeping it in quarantine without a report', async (_, tail) => {
      const store = fileStore({ dir })
      const events = [tick(1), tick(2), tick(3)]
      await store.append(events)
      await store.close()
      const path = await lastSegment()
      const good = (await stat(path)).size
      await appendFile(path, tail)
      const again = track(fileStore({ dir }))
      const reported: TidingsError[] = []
      again.onError!((error) => reported.push(error))
      expect((await collect(again)).map((r) => r.envelope.id)).toEqual(events.map((e) => e.id))
      expect(reported).toEqual([])
      expect((await stat(path)).size).toBe(good)
      const [kept] = (await readFile(`${path}.quarantine`, 'utf8')).split('\n').map((l) => JSON.parse(l || 'null') as { offset: number; data: string })
      expect(kept).toMatchObject({ offset: good, bytes: Buffer.byteLength(tail) })
      expect(Buffer.from(kept!.data, 'base64').toString()).toBe(tail)
      const next = tick(4)
      await again.append([next])
      expect((await collect(again, { after: 3 })).map((r) => [r.position, r.envelope.id])).toEqual([[4, next.id]])
    })

    it('cuts off a torn dead-letter line and keeps the entries before it', async () => {
      const store = fileStore({ dir })
      await store.putDeadLetter(deadLetter('dl-1'))
      await store.close()
      await appendFile(join(dir, 'dead-letters.ndjson'), '{"put":{"id":"dl-2","envel')
      const again = track(fileStore({ dir }))
      expect((await again.listDeadLetters()).map((e) => e.id)).toEqual(['dl-1'])
      await again.putDeadLetter(deadLetter('dl-3'))
      await again.close()
      expect((await track(fileStore({ dir })).listDeadLetters()).map((e) => e.id)).toEqual(['dl-1', 'dl-3'])
    })

    it('reads past damage inside an older segment, reporting it with the file, offset and position', async () => {
      const store = fileStore({ dir, maxSegmentBytes: 600 })
      for (let i = 1; i <= 10; i++) await store.append([tick(i)])
      await store.close()
      const [oldest] = await segmentFiles(dir)
      const path = join(dir, oldest!)
      const text = await readFile(path, 'utf8')
      await writeFile(path, text.replace('"p":2,', '"p":2,\u0000'))
      const again = track(fileStore({ dir, maxSegmentBytes: 600 }))
      const reported: TidingsError[] = []
      again.onError!((error) => reported.push(error))
      expect((await collect(again)).map((r) => r.position)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10])
      expect(reported).toHaveLength(1)
      expect(isTidingsError(reported[0], 'E_STORAGE_DAMAGED')).toBe(true)
      expect(reported[0]!.details).toMatchObject({ path, quarantine: `${path}.quarantine`, offset: text.indexOf('\n') + 1, count: 1, positions: [2, 2] })
      expect(await again.count()).toBe(9)
    })
  })

  describe('the lock', () => {
    it('lets one store per directory write: a second one in this process fails with E_STORAGE_LOCKED', async () => {
      const first = track(fileStore({ dir }))
      await first.ready
      const second = track(fileStore({ dir }))
      const error = await failure(second.ready)
      expect(isTidingsError(error, 'E_STORAGE_LOCKED')).toBe(true)
      expect(isTidingsError(await failure(second.append([tick(1)])), 'E_STORAGE_LOCKED')).toBe(true)
    })

    it('takes over a lock left by a process that no longer runs', async () => {
      const child = spawn(process.execPath, ['-e', ''])
      const pid = child.pid!
      await new Promise((resolve) => child.on('exit', resolve))
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, 'LOCK'), JSON.stringify({ pid, host: hostname(), start: null }))
      const store = track(fileStore({ dir }))
      await store.ready
      expect(JSON.parse(await readFile(join(dir, 'LOCK'), 'utf8'))).toMatchObject({ pid: process.pid })
    })

    it('takes over a lock that names this process but was not taken by it (a pid reused after a restart)', async () => {
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, 'LOCK'), JSON.stringify({ pid: process.pid, host: hostname(), start: 'earlier' }))
      await expect(track(fileStore({ dir })).ready).resolves.toBeUndefined()
    })

    it('respects a lock held by a process on another host', async () => {
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, 'LOCK'), JSON.stringify({ pid: 1, host: 'another-host', start: null }))
      const error = await failure(track(fileStore({ dir })).ready)
      expect(isTidingsError(error, 'E_STORAGE_LOCKED')).toBe(true)
      expect((error as Error).message).toContain('another-host')
    })

    it('releases the lock on close', async () => {
      const store = fileStore({ dir })
      await store.ready
      await store.close()
      await expect(readFile(join(dir, 'LOCK'))).rejects.toThrow()
    })
  })

  describe('readOnly', () => {
    it('reads what a writer appends, while the writer holds the lock', async () => {
      const writer = track(fileStore({ dir }))
      await writer.append([tick(1), tick(2)])
      const reader = track(fileStore({ dir, readOnly: true }))
      expect(await reader.count()).toBe(2)
      const followed = (await collect(reader)).at(-1)!.position
      const next = tick(3)
      await writer.append([next])
      expect((await collect(reader, { after: followed })).map((r) => r.envelope.id)).toEqual([next.id])
      expect((await collect(reader, { order: 'desc', limit: 1 }))[0]!.envelope.id).toBe(next.id)
      await writer.putDeadLetter(deadLetter('dl-1'))
      expect((await reader.listDeadLetters()).map((e) => e.id)).toEqual(['dl-1'])
    })

    it('ignores a record still being written', async () => {
      const writer = fileStore({ dir })
      await writer.append([tick(1)])
      await writer.close()
      await appendFile(join(dir, (await segmentFiles(dir))[0]!), '{"p":2,"e":{"specversion":"1.0"')
      const reader = track(fileStore({ dir, readOnly: true }))
      expect(await reader.count()).toBe(1)
      expect((await collect(reader, { order: 'desc' })).map((r) => r.position)).toEqual([1])
    })

    it('rejects writes with E_STORAGE_READ_ONLY and takes no lock', async () => {
      await track(fileStore({ dir })).close()
      const reader = track(fileStore({ dir, readOnly: true }))
      await reader.ready
      for (const write of [() => reader.append([tick(1)]), () => reader.putDeadLetter(deadLetter('dl-1')), () => reader.deleteDeadLetter('dl-1')]) {
        expect(isTidingsError(await failure(write()), 'E_STORAGE_READ_ONLY')).toBe(true)
      }
      await expect(track(fileStore({ dir })).ready).resolves.toBeUndefined()
    })

    it('fails to open a directory that holds no store, and creates nothing', async () => {
      const missing = join(dir, 'missing')
      const reader = track(fileStore({ dir: missing, readOnly: true }))
      expect(isTidingsError(await failure(reader.ready), 'E_STORAGE')).toBe(true)
      await expect(stat(missing)).rejects.toThrow()
    })
  })

  describe('retention', () => {
    // Retention runs when a segment is closed: the closed segments then hold at most the limit, the open one grows until the next rotation.
    it('maxEvents deletes the oldest segments, and positions go on from where they were', async () => {
      const store = track(fileStore({ dir, maxSegmentBytes: 1000, retention: { maxEvents: 10 } }))
      for (let i = 1; i <= 40; i++) await store.append([tick(i)])
      const records = await collect(store)
      const open = Number((await segmentFiles(dir)).at(-1)!.slice(0, 20))
      expect(records.filter((r) => r.position < open).length).toBeLessThanOrEqual(10)
      expect(records.length).toBeLessThan(20)
      expect(await store.count()).toBe(records.length)
      expect(records.map((r) => r.position)).toEqual(Array.from({ length: records.length }, (_, i) => 41 - records.length + i))
    })

    it('maxBytes bounds the size of the log on disk', async () => {
      const store = track(fileStore({ dir, maxSegmentBytes: 1000, retention: { maxBytes: 3000 } }))
      for (let i = 1; i <= 60; i++) await store.append([tick(i)])
      const files = await segmentFiles(dir)
      let closed = 0
      for (const f of files.slice(0, -1)) closed += (await stat(join(dir, f))).size
      expect(closed).toBeLessThanOrEqual(3000)
      expect(files.length).toBeLessThanOrEqual(4)
      expect((await collect(store, { order: 'desc', limit: 1 }))[0]!.position).toBe(60)
    })

    it('maxAgeMs deletes segments last written longer ago, when the store opens', async () => {
      const store = fileStore({ dir, maxSegmentBytes: 1000 })
      for (let i = 1; i <= 30; i++) await store.append([tick(i)])
      await store.close()
      const files = await segmentFiles(dir)
      const old = new Date(Date.now() - 3_600_000)
      for (const f of files.slice(0, 2)) await utimes(join(dir, f), old, old)
      const again = track(fileStore({ dir, maxSegmentBytes: 1000, retention: { maxAgeMs: 60_000 } }))
      await again.ready
      expect(await segmentFiles(dir)).toEqual(files.slice(2))
      expect((await collect(again))[0]!.position).toBe(Number(files[2]!.slice(0, 20)))
    })

    it('never touches the dead letters', async () => {
      const store = track(fileStore({ dir, maxSegmentBytes: 500, retention: { maxEvents: 1 } }))
      await store.putDeadLetter(deadLetter('dl-1'))
      for (let i = 1; i <= 20; i++) await store.append([tick(i)])
      expect((await store.listDeadLetters()).map((e) => e.id)).toEqual(['dl-1'])
    })
  })

  describe('dead-letter file', () => {
    it('compacts updates and deletions away, keeping the live entries', async () => {
      const store = fileStore({ dir, durability: 'none' })
      for (let i = 0; i < 1500; i++) await store.putDeadLetter(deadLetter(`dl-${i % 3}`, i))
      await store.deleteDeadLetter('dl-0')
      await store.close()
      const lines = (await readFile(join(dir, 'dead-letters.ndjson'), 'utf8')).split('\n').filter(Boolean)
      expect(lines.length).toBeLessThan(1000)
      const again = track(fileStore({ dir }))
      const entries = await again.listDeadLetters()
      expect(entries.map((e) => [e.id, e.attempts])).toEqual([['dl-1', 1498], ['dl-2', 1499]])
    })
  })

  describe('failures', () => {
    const failWrites = async (count: number) => {
      const probe = await open(join(dir, 'probe'), 'w')
      const proto = Object.getPrototypeOf(probe) as FileHandle
      await probe.close()
      const original = proto.write as (...a: unknown[]) => Promise<{ bytesWritten: number }>
      let calls = 0
      vi.spyOn(proto, 'write').mockImplementation(function (this: FileHandle, ...args: unknown[]) {
        calls++
        const [buf, offset, length] = args as [Buffer, number, number]
        if (calls === 1) return original.call(this, buf, offset, Math.floor(length / 2))
        if (calls <= count) return Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }))
        return original.apply(this, args)
      } as never)
    }

    it('rejects a dead letter it could not write with E_STORAGE, and leaves no torn line behind', async () => {
      const store = fileStore({ dir })
      await store.ready
      await failWrites(2)
      const error = await failure(store.putDeadLetter(deadLetter('dl-1')))
      expect(isTidingsError(error, 'E_STORAGE')).toBe(true)
      expect(await store.listDeadLetters()).toEqual([])
      vi.restoreAllMocks()
      await store.putDeadLetter(deadLetter('dl-2'))
      await store.close()
      expect((await track(fileStore({ dir })).listDeadLetters()).map((e) => e.id)).toEqual(['dl-2'])
    })

    it('rejects events it could not write with E_STORAGE, and gives their positions to the next ones', async () => {
      const store = track(fileStore({ dir }))
      await store.append([tick(1)])
      await failWrites(2)
      expect(isTidingsError(await failure(store.append([tick(2), tick(3)])), 'E_STORAGE')).toBe(true)
      vi.restoreAllMocks()
      const next = tick(4)
      await store.append([next])
      expect((await collect(store)).map((r) => [r.position, r.envelope.data])).toEqual([[1, { n: 1 }], [2, { n: 4 }]])
    })

    it('closes the segment file when a reader stops early', async () => {
      const store = track(fileStore({ dir }))
      await store.append([tick(1), tick(2), tick(3)])
      const openFiles = async () => (await readdir('/proc/self/fd')).length
      const before = await openFiles()
      for (let i = 0; i < 20; i++) {
        for await (const _ of store.read()) break
      }
      expect(await openFiles()).toBe(before)
    })
  })

  describe('codec', () => {
    it('upcasts old events and dead letters on read with createCodec(catalog)', async () => {
      const store = fileStore({ dir })
      const old = createBus({ source: '/v1' }).emit('order.placed', { orderId: 'A-1' })
      await store.append([old])
      await store.putDeadLetter({ ...deadLetter('dl-1'), envelope: old })
      await store.close()
      const OrderPlaced = defineEvent('order.placed', {
        version: 2,
        schema: v.object({ orderId: v.string(), currency: v.string() }),
        upcast: { 1: (d) => ({ ...d, currency: 'EUR' }) },
      })
      const again = track(fileStore({ dir, codec: createCodec(defineCatalog(OrderPlaced)) }))
      const [record] = await collect(again)
      expect(record!.envelope.dataversion).toBe(2)
      expect(record!.envelope.data).toEqual({ orderId: 'A-1', currency: 'EUR' })
      const [entry] = await again.listDeadLetters()
      expect(entry!.envelope.data).toEqual({ orderId: 'A-1', currency: 'EUR' })
    })

    it('refuses an envelope the codec cannot write alone: the rest of its batch is written, then append rejects with E_ENCODE', async () => {
      const store = track(fileStore({ dir }))
      const bad = tick(2, { big: 10n })
      const error = await failure(store.append([tick(1), bad, tick(3)]))
      expect(isTidingsError(error, 'E_ENCODE')).toBe(true)
      expect((error as TidingsError).message).toMatch(/^1 of 3 events could not be stored: /)
      expect((error as TidingsError).details).toEqual({ appended: 2, refused: [{ id: bad.id, type: 'order.placed', code: expect.any(String), message: expect.any(String) }] })
      await store.append([tick(4)])
      await store.close()
      const again = track(fileStore({ dir }))
      expect((await collect(again)).map((r) => [r.position, r.envelope.data])).toEqual([[1, { n: 1 }], [2, { n: 3 }], [3, { n: 4 }]])
    })

    it('rejects with E_ENCODE and writes nothing when every envelope of a batch is refused', async () => {
      const store = track(fileStore({ dir, codec: createCodec(undefined, { unknown: 'keep', maxBytes: 2000 }) }))
      const error = await failure(store.append([tick(1, { pad: 'x'.repeat(3000) })]))
      expect(isTidingsError(error, 'E_ENCODE')).toBe(true)
      expect((error as TidingsError).details).toMatchObject({ appended: 0, refused: [{ type: 'order.placed' }] })
      expect(await store.count()).toBe(0)
    })
  })

  it('checks its options', () => {
    const bad = [{}, { dir: '' }, { dir, durability: 'sometimes' }, { dir, maxSegmentBytes: 0 }, { dir, retention: { maxEvents: -1 } }]
    for (const options of bad) {
      expect(() => fileStore(options as never)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    }
  })
})
