import { appendFile, mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBus, isTidingsError } from '@tidings/core'
import type { DeadLetterEntry, Store, TidingsError } from '@tidings/core'
import { fileStore } from '@tidings/node'

const bus = createBus({ source: '/damage-test' })
const tick = (n: number) => bus.emit('order.placed', { n })
const deadLetter = (id: string): DeadLetterEntry => ({
  id, envelope: tick(0), subscription: 'mailer', attempts: 1,
  firstFailedAt: '2024-05-01T10:00:00.000Z', lastFailedAt: '2024-05-01T10:00:00.000Z', error: { name: 'Error', message: 'down' },
})
const positions = async (store: Store) => {
  const out: number[] = []
  for await (const { position } of store.read()) out.push(position)
  return out
}
const reportsOf = (store: Store) => {
  const reported: TidingsError[] = []
  store.onError!((error) => reported.push(error))
  return reported
}
/** Flips one byte of the `line`-th line (0-based) of a file, in the middle of the line. */
const flipInLine = async (path: string, line: number) => {
  const buf = await readFile(path)
  let start = 0
  for (let i = 0; i < line; i++) start = buf.indexOf(10, start) + 1
  const at = start + Math.floor((buf.indexOf(10, start) - start) / 2)
  buf[at]! ^= 0x01
  await writeFile(path, buf)
  return start
}

describe('fileStore() damage', () => {
  let dir: string
  const segment = () => join(dir, '00000000000000000001.ndjson')

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidings-damage-'))
  })
  afterEach(async () => {
    vi.restoreAllMocks()
    await rm(dir, { recursive: true, force: true })
  })

  it('never gives out again the positions of the last two records when the newline between them is damaged', async () => {
    const store = fileStore({ dir })
    for (let i = 1; i <= 10; i++) await store.append([tick(i)])
    await store.close()
    const buf = await readFile(segment())
    // The '\n' that ends record 9: records 9 and 10 become one damaged line.
    const end9 = buf.lastIndexOf(10, buf.length - 2)
    buf[end9] = 0x20
    await writeFile(segment(), buf)
    const again = fileStore({ dir })
    const reported = reportsOf(again)
    expect(await positions(again)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    await again.append([tick(11)])
    expect((await positions(again)).at(-1)).toBeGreaterThan(10)
    expect(reported.map((e) => [e.code, e.details?.count])).toEqual([['E_STORAGE_DAMAGED', 2]])
    await again.close()
  })

  it('keeps the 99 other records of the newest segment when record 50 of 100 is damaged, and reports it once', async () => {
    const store = fileStore({ dir })
    for (let i = 1; i <= 100; i++) await store.append([tick(i)])
    await store.close()
    const offset = await flipInLine(segment(), 49)
    const again = fileStore({ dir })
    const reported = reportsOf(again)
    const expected = Array.from({ length: 100 }, (_, i) => i + 1).filter((p) => p !== 50)
    expect(await positions(again)).toEqual(expected)
    expect(await again.count()).toBe(99)
    expect(reported.map((e) => [e.code, e.details?.offset, e.details?.count, e.details?.positions])).toEqual([['E_STORAGE_DAMAGED', offset, 1, [50, 50]]])
    await again.append([tick(101)])
    expect((await positions(again)).at(-1)).toBe(101)
    await again.close()
    const third = fileStore({ dir })
    const later = reportsOf(third)
    expect(await positions(third)).toEqual([...expected, 101])
    expect(later).toEqual([])
    await third.close()
    expect(await readdir(dir)).toContain('00000000000000000001.ndjson.quarantine')
  })

  it('keeps every other dead letter when an entry in the middle of the file is damaged', async () => {
    const store = fileStore({ dir })
    for (let i = 1; i <= 5; i++) await store.putDeadLetter(deadLetter(`dl-${i}`))
    await store.close()
    const path = join(dir, 'dead-letters.ndjson')
    const offset = await flipInLine(path, 2)
    const reader = fileStore({ dir, readOnly: true })
    const readerReports = reportsOf(reader)
    expect((await reader.listDeadLetters()).map((e) => e.id)).toEqual(['dl-1', 'dl-2', 'dl-4', 'dl-5'])
    expect(readerReports.map((e) => [e.code, e.details?.quarantine])).toEqual([['E_STORAGE_DAMAGED', undefined]])
    await reader.close()
    const again = fileStore({ dir })
    const reported = reportsOf(again)
    expect((await again.listDeadLetters()).map((e) => e.id)).toEqual(['dl-1', 'dl-2', 'dl-4', 'dl-5'])
    expect(reported.map((e) => [e.code, e.details?.path, e.details?.offset, e.details?.quarantine])).toEqual([['E_STORAGE_DAMAGED', path, offset, `${path}.quarantine`]])
    await again.putDeadLetter(deadLetter('dl-6'))
    await again.close()
    const third = fileStore({ dir })
    expect((await third.listDeadLetters()).map((e) => e.id)).toEqual(['dl-1', 'dl-2', 'dl-4', 'dl-5', 'dl-6'])
    await third.close()
  })

  it('completes a last record that lost only its newline, instead of dropping it', async () => {
    const store = fileStore({ dir })
    await store.append([tick(1), tick(2)])
    await store.close()
    const buf = await readFile(segment())
    await writeFile(segment(), buf.subarray(0, -1))
    const again = fileStore({ dir })
    const reported = reportsOf(again)
    expect(await positions(again)).toEqual([1, 2])
    expect(reported).toEqual([])
    await again.close()
    expect(await readFile(segment())).toEqual(buf)
  })

  it('takes damaged lines at the end of the newest segment for records: their positions are not given again', async () => {
    const store = fileStore({ dir })
    await store.append([tick(1), tick(2), tick(3)])
    await store.close()
    await appendFile(segment(), 'not json\n{"c":1,"p":4,"e":{}}\n')
    const again = fileStore({ dir })
    const reported = reportsOf(again)
    expect(await positions(again)).toEqual([1, 2, 3])
    expect(reported.map((e) => [e.code, e.details?.count, e.details?.positions])).toEqual([['E_STORAGE_DAMAGED', 2, [4, 5]]])
    await again.append([tick(6)])
    expect(await positions(again)).toEqual([1, 2, 3, 6])
    expect(await again.count()).toBe(4)
    await again.close()
  })

  it('reads records written before lines had checksums', async () => {
    const legacy = [tick(1), tick(2)].map((e, i) => `${JSON.stringify({ p: i + 1, e })}\n`).join('')
    await writeFile(segment(), legacy)
    const store = fileStore({ dir })
    await store.append([tick(3)])
    expect(await positions(store)).toEqual([1, 2, 3])
    await store.close()
  })

  it('keeps a dead letter written on a full disk in memory and writes it once space is freed', async () => {
    const store = fileStore({ dir })
    await store.ready
    const reported = reportsOf(store)
    const probe = await open(join(dir, 'probe'), 'w')
    const proto = Object.getPrototypeOf(probe) as FileHandle
    await probe.close()
    const original = proto.write as (...a: unknown[]) => Promise<unknown>
    let calls = 0
    vi.spyOn(proto, 'write').mockImplementation(function (this: FileHandle, ...args: unknown[]) {
      if (++calls <= 2) return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))
      return original.apply(this, args)
    } as never)
    await store.putDeadLetter(deadLetter('dl-1'))
    expect(reported.map((e) => e.code)).toEqual(['E_STORAGE_QUOTA', 'E_STORAGE_QUOTA'])
    expect(isTidingsError(reported[0], 'E_STORAGE_QUOTA') && reported[0].details).toMatchObject({ deadLetters: 1 })
    vi.restoreAllMocks()
    await store.close()
    const again = fileStore({ dir })
    expect((await again.listDeadLetters()).map((e) => e.id)).toEqual(['dl-1'])
    await again.close()
  })
})
