// Fault injection for fileStore(): bytes flipped at random offsets of every file it writes, a full
// disk (a real tmpfs), and SIGKILL during dead-letter writes. Random choices come from one seed,
// printed with every failure: TIDINGS_FAULT_SEED=<seed> runs the same cases again.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdtemp, open, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBus, isTidingsError } from '@tidings/core'
import type { DeadLetterEntry, Envelope, Store, TidingsError } from '@tidings/core'
import { fileStore } from '@tidings/node'
import { buildChild, startChild } from './file-store-child-process'
import { until } from './devtools-helpers'

const seed = Number(process.env.TIDINGS_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 32))
/** mulberry32: small, fast, and the same sequence for the same seed. */
const prng = (state: number) => () => {
  state = (state + 0x6d2b79f5) | 0
  let t = Math.imul(state ^ (state >>> 15), 1 | state)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const random = prng(seed)
const pick = (n: number) => Math.floor(random() * n)

let work: string
let script: string
const bus = createBus({ source: '/faults' })
const DLQ = 'dead-letters.ndjson'

const deadLetter = (id: string, envelope: Envelope, attempts: number): DeadLetterEntry => ({
  id, envelope, subscription: 'mailer', attempts,
  firstFailedAt: '2024-05-01T10:00:00.000Z', lastFailedAt: '2024-05-01T10:00:00.000Z', error: { name: 'Error', message: `down ${attempts}` },
})

const readAll = async (store: Store, order: 'asc' | 'desc' = 'asc') => {
  const out: Array<{ position: number; json: string }> = []
  for await (const { position, envelope } of store.read({ order })) out.push({ position, json: JSON.stringify(envelope) })
  return out
}
const deadLetterKey = (e: DeadLetterEntry) => `${e.id}:${e.attempts}:${e.envelope.id}`
const withReports = (store: Store) => {
  const reported: TidingsError[] = []
  store.onError!((error) => reported.push(error))
  return reported
}

/** Byte ranges of a file's lines, each with its '\n'. */
const lineSpans = (buf: Buffer) => {
  const spans: Array<[number, number]> = []
  for (let from = 0, nl = buf.indexOf(10); nl !== -1; from = nl + 1, nl = buf.indexOf(10, from)) spans.push([from, nl + 1])
  return spans
}

beforeAll(async () => {
  // In memory where there is a tmpfs: these cases test what the store does with what it reads, not the disk's speed.
  work = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'tidings-faults-'))
  script = await buildChild(work)
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('fileStore() under byte corruption of every file it writes', () => {
  const fixture = () => join(work, 'fixture')
  const records = new Map<number, string>()
  /** The dead-letter file's operations in order: what the store holds is their replay. */
  const operations: Array<{ put?: DeadLetterEntry; del?: string }> = []
  let files: string[] = []

  beforeAll(async () => {
    const store = fileStore({ dir: fixture(), maxSegmentBytes: 1500 })
    for (let i = 1; i <= 24; i++) {
      const envelope = bus.emit('order.placed', { n: i, note: 'é✓'.repeat(i % 4) })
      await store.append([envelope])
      records.set(i, JSON.stringify(envelope))
    }
    const ops: Array<{ put?: DeadLetterEntry; del?: string }> = [
      ...Array.from({ length: 6 }, (_, i) => ({ put: deadLetter(`dl-${i}`, bus.emit('mail.send', { i }), 1) })),
      { put: deadLetter('dl-1', bus.emit('mail.send', { i: 1 }), 2) },
      { del: 'dl-2' },
      { put: deadLetter('dl-6', bus.emit('mail.send', { i: 6 }), 1) },
    ]
    for (const op of ops) {
      if (op.put) await store.putDeadLetter(op.put)
      else await store.deleteDeadLetter(op.del!)
      operations.push(op)
    }
    await store.close()
    files = (await readdir(fixture())).sort()
    expect(files.filter((f) => f !== DLQ).length, 'the fixture should have several segments').toBeGreaterThanOrEqual(3)
  })

  const replay = (skipped: ReadonlySet<number>) => {
    const entries = new Map<string, string>()
    operations.forEach((op, i) => {
      if (skipped.has(i)) return
      if (op.put) entries.set(op.put.id, deadLetterKey(op.put))
      else entries.delete(op.del!)
    })
    return [...entries.values()].sort()
  }

  const CASES = 160
  const WHERE = ['first line', 'middle line', 'last line', 'line header', 'anywhere'] as const

  it(`keeps every record the damage did not touch, reports and quarantines the rest, and appends after (${CASES} random byte flips; seed ${seed})`, async () => {
    const tally = { cases: 0, reported: 0, repaired: 0 }
    for (let n = 0; n < CASES; n++) {
      const name = files[n % files.length]!
      const where = WHERE[pick(WHERE.length)]!
      const dir = join(work, `case-${n}`)
      await cp(fixture(), dir, { recursive: true })
      const path = join(dir, name)
      const original = await readFile(path)
      const spans = lineSpans(original)
      const line = where === 'first line' ? 0 : where === 'last line' ? spans.length - 1 : pick(spans.length)
      const [from, to] = spans[line]!
      const offset = where === 'anywhere' ? pick(original.length) : where === 'line header' ? from + pick(Math.min(8, to - from)) : from + pick(to - from)
      const flip = 1 + pick(255)
      const damaged = Buffer.from(original)
      damaged[offset]! ^= flip
      await writeFile(path, damaged)
      const label = `seed ${seed}, case ${n}: ${name} byte ${offset} (${where}) ^ ${flip}; rerun with TIDINGS_FAULT_SEED=${seed}`

      // The lines the flip touched: its own, and the next one when it hit a '\n' (the two merge).
      const hit = spans.findIndex(([s, e]) => offset >= s && offset < e)
      const touched = new Set(hit === -1 ? [] : original[offset] === 10 && hit + 1 < spans.length ? [hit, hit + 1] : [hit])
      const segmentFirst = name === DLQ ? 0 : Number(name.slice(0, 20))
      const touchedPositions = new Set(name === DLQ ? [] : [...touched].map((i) => segmentFirst + i))
      const touchedOps = new Set(name === DLQ ? touched : [])
      const covers = (reports: TidingsError[]) => reports.some((r) => isTidingsError(r, 'E_STORAGE_DAMAGED') && r.details?.path === path && (r.details.offset as number) <= offset && offset < (r.details.offset as number) + (r.details.bytes as number))

      // A read-only store leaves alone a last line without its '\n' in the newest segment or the dead-letter file: for all it knows, the writer is writing it.
      const tail = (name === DLQ || name === files.filter((f) => f !== DLQ).at(-1)) && offset === original.length - 1
      const check = async (store: Store, reports: TidingsError[], phase: string) => {
        const read = await readAll(store)
        for (const r of read) expect(r.json, `${label}: ${phase}: position ${r.position} read back altered`).toBe(records.get(r.position))
        const positions = new Set(read.map((r) => r.position))
        for (const p of records.keys()) if (!touchedPositions.has(p)) expect(positions.has(p), `${label}: ${phase}: untouched record ${p} is missing`).toBe(true)
        const writing = tail && phase === 'read-only open'
        const lost = [...touchedPositions].filter((p) => !positions.has(p) && !writing)
        if (lost.length) expect(covers(reports), `${label}: ${phase}: records ${lost.join(', ')} are missing and no E_STORAGE_DAMAGED names byte ${offset}: ${reports.map((r) => r.message).join(' | ')}`).toBe(true)
        expect((await readAll(store, 'desc')).reverse(), `${label}: ${phase}: a read newest first differs`).toEqual(read)
        expect(await store.count(), `${label}: ${phase}: count() differs from what is read`).toBe(read.length)
        const dead = (await store.listDeadLetters()).map(deadLetterKey).sort()
        const intact = replay(new Set())
        if (JSON.stringify(dead) !== JSON.stringify(intact)) {
          expect(dead, `${label}: ${phase}: dead letters differ from a replay without the damaged lines`).toEqual(replay(touchedOps))
          if (!writing) expect(covers(reports), `${label}: ${phase}: dead letters lost without a report`).toBe(true)
        }
        return { read, lost: lost.length > 0 || JSON.stringify(dead) !== JSON.stringify(intact) }
      }

      const reader = fileStore({ dir, readOnly: true })
      await check(reader, withReports(reader), 'read-only open')
      await reader.close()

      const writer = fileStore({ dir, durability: 'none' })
      const reports = withReports(writer)
      const { read, lost } = await check(writer, reports, 'writable open')
      if (lost) {
        const quarantine = `${path}.quarantine`
        const kept = (await readFile(quarantine, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { offset: number; bytes: number; data: string })
        const entry = kept.find((k) => k.offset <= offset && offset < k.offset + k.bytes)
        expect(entry, `${label}: the damaged bytes are not in ${quarantine}`).toBeDefined()
        expect(Buffer.from(entry!.data, 'base64'), `${label}: the quarantine does not hold the damaged bytes`).toEqual(damaged.subarray(entry!.offset, entry!.offset + entry!.bytes))
        tally.reported++
      } else if (read.length === records.size) tally.repaired++
      const next = bus.emit('order.placed', { n: 'after' })
      await writer.append([next])
      await writer.putDeadLetter(deadLetter('dl-after', next, 1))
      await writer.close()

      const again = fileStore({ dir, durability: 'none' })
      const later = withReports(again)
      const after = await readAll(again)
      expect(after.slice(0, -1), `${label}: reopened: records changed`).toEqual(read)
      expect(after.at(-1)!.json, `${label}: the event appended after the damage is missing`).toBe(JSON.stringify(next))
      expect(after.at(-1)!.position, `${label}: a position was given twice`).toBeGreaterThan(Math.max(...records.keys(), ...read.map((r) => r.position)))
      expect((await again.listDeadLetters()).some((e) => e.id === 'dl-after'), `${label}: the dead letter written after the damage is missing`).toBe(true)
      expect(later.filter((e) => e.code === 'E_STORAGE_DAMAGED'), `${label}: damage already quarantined was reported again`).toEqual([])
      await again.close()
      await rm(dir, { recursive: true, force: true })
      tally.cases++
    }
    expect(tally.cases).toBe(CASES)
    console.info(`file store faults (seed ${seed}): ${tally.cases} flips, ${tally.reported} quarantined and reported, ${tally.cases - tally.reported} read back whole`)
  }, 60_000)

  it(`opens and reads a store whose quarantine files are damaged too (seed ${seed})`, async () => {
    for (let n = 0; n < 20; n++) {
      const dir = join(work, `quarantine-${n}`)
      await cp(fixture(), dir, { recursive: true })
      const segment = join(dir, files[pick(files.length - 1)]!)
      const text = await readFile(segment)
      const spans = lineSpans(text)
      const [from, to] = spans[pick(spans.length)]!
      text[from + pick(to - from - 1)]! ^= 0x20
      await writeFile(segment, text)
      const writer = fileStore({ dir })
      withReports(writer)
      const before = await readAll(writer)
      await writer.close()
      const quarantine = await readFile(`${segment}.quarantine`)
      quarantine[pick(quarantine.length)]! ^= 1 + pick(255)
      await writeFile(`${segment}.quarantine`, quarantine)
      const again = fileStore({ dir })
      withReports(again)
      expect(await readAll(again), `seed ${seed}, case ${n}`).toEqual(before)
      await again.append([bus.emit('order.placed', { n: 'after' })])
      await again.close()
    }
  })

  it(`takes over or refuses a damaged lock file left by a dead process, never anything else (seed ${seed})`, async () => {
    for (let n = 0; n < 20; n++) {
      const dir = join(work, `lock-${n}`)
      await cp(fixture(), dir, { recursive: true })
      const lock = Buffer.from(JSON.stringify({ pid: 999_999_999, host: hostname(), start: 'gone' }))
      lock[pick(lock.length)]! ^= 1 + pick(255)
      await writeFile(join(dir, 'LOCK'), lock)
      const old = new Date(Date.now() - 3_600_000)
      await utimes(join(dir, 'LOCK'), old, old)
      const store = fileStore({ dir })
      const error = await store.ready.then(() => undefined, (e: unknown) => e)
      if (error === undefined) expect((await readAll(store)).length).toBe(records.size)
      else expect(isTidingsError(error, 'E_STORAGE_LOCKED'), `seed ${seed}, case ${n}: ${String(error)}`).toBe(true)
      await store.close()
    }
  })
})

const root = process.platform === 'linux' && process.getuid?.() === 0
const isQuota = (e: TidingsError) => isTidingsError(e, 'E_STORAGE_QUOTA')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('fileStore() on a full disk', () => {
  let mount: string | undefined

  afterAll(() => {
    if (mount) execFileSync('umount', [mount])
  })

  it.skipIf(!root)('keeps the events and dead letters written while a 1 MiB tmpfs is full, and writes them once space is freed (needs root to mount a tmpfs)', async () => {
    mount = await mkdtemp(join(tmpdir(), 'tidings-full-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount])
    const dir = join(mount, 'store')
    const store = fileStore({ dir })
    const reports = withReports(store)
    const before = Array.from({ length: 5 }, (_, i) => bus.emit('order.placed', { i }))
    await store.append(before)
    await store.putDeadLetter(deadLetter('dl-before', before[0]!, 1))

    const filler = await open(join(mount, 'filler'), 'w')
    for (let size = 64 * 1024; size >= 512; size /= 2) {
      for (;;) {
        const wrote = await filler.write(Buffer.alloc(size)).then(() => true, () => false)
        if (!wrote) break
      }
    }
    await filler.close()

    const during = Array.from({ length: 20 }, (_, i) => bus.emit('order.placed', { i, pad: 'x'.repeat(500) }))
    // Larger than the page the dead-letter file has already: a tmpfs refuses only writes that need a new page.
    const entry = { ...deadLetter('dl-during', during[0]!, 3), error: { name: 'Error', message: 'x'.repeat(10_000) } }
    let settled = false
    const writes = Promise.all([store.append(during), store.putDeadLetter(entry)]).then(() => void (settled = true))
    for (let waited = 0; !(reports.some((e) => isQuota(e) && e.details?.events === 20) && reports.some((e) => isQuota(e) && e.details?.deadLetters === 1)); waited += 20) {
      expect(waited, `both writes should report E_STORAGE_QUOTA: ${reports.map((e) => e.message).join(' | ')}`).toBeLessThan(5000)
      await sleep(20)
    }
    const flushed = store.flush().then(() => 'flushed')
    await sleep(300)
    expect(settled, 'nothing can be acknowledged while the disk is full').toBe(false)
    expect(await Promise.race([flushed, sleep(0).then(() => 'waiting')])).toBe('waiting')

    await rm(join(mount, 'filler'))
    await writes
    await flushed
    await store.close()

    const again = fileStore({ dir, readOnly: true })
    expect((await readAll(again)).map((r) => r.json)).toEqual([...before, ...during].map((e) => JSON.stringify(e)))
    const dead = await again.listDeadLetters()
    expect(dead.map(deadLetterKey).sort()).toEqual([deadLetterKey(deadLetter('dl-before', before[0]!, 1)), deadLetterKey(entry)])
    expect(dead.find((e) => e.id === 'dl-during')!.error.message).toBe(entry.error.message)
    await again.close()
    execFileSync('umount', [mount])
    mount = undefined
  }, 20_000)
})

describe('fileStore() killed with SIGKILL while writing dead letters', () => {
  it(`keeps every acknowledged dead letter over rounds of kills at random moments (seed ${seed})`, async () => {
    const dir = join(work, 'dlq-kills')
    const acked = new Map<string, number>()
    const deleting = new Set<string>()
    for (let round = 1; round <= 4; round++) {
      const { child, lines, ready, exited } = startChild(script, dir, round, 'dlq')
      await ready
      // Killed at a random moment after its first acknowledged write, however loaded the machine is.
      await until(() => lines.some((l) => l.startsWith('put')), 10_000, `seed ${seed}: round ${round}'s first dead letter`)
      await sleep(pick(300))
      child.kill('SIGKILL')
      await exited
      for (const line of lines) {
        const [kind, id, attempts] = line.split(' ')
        if (kind === 'put') acked.set(id!, Math.max(acked.get(id!) ?? 0, Number(attempts)))
        if (kind === 'deleting') deleting.add(id!)
      }
      expect(lines.filter((l) => l.startsWith('put')).length, `seed ${seed}: round ${round} acknowledged nothing`).toBeGreaterThan(0)
      const store = fileStore({ dir })
      const reports = withReports(store)
      const entries = new Map((await store.listDeadLetters()).map((e) => [e.id, e.attempts]))
      for (const [id, attempts] of acked) {
        if (deleting.has(id)) continue
        expect(entries.get(id), `seed ${seed}: acknowledged dead letter ${id} (attempt ${attempts}) is missing after round ${round}`).toBeGreaterThanOrEqual(attempts)
      }
      expect(reports.filter((e) => e.code === 'E_STORAGE_DAMAGED'), `seed ${seed}: a crash is not damage`).toEqual([])
      await store.close()
    }
    expect(acked.size).toBeGreaterThan(0)
  }, 30_000)
})
