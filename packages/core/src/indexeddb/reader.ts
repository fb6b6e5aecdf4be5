import type { IDBPDatabase } from 'idb'
import type { ReadQuery, TimeBound } from '@tidings/core'
import type { Chunk, TidingsDB } from './schema'

type Db = () => Promise<IDBPDatabase<TidingsDB>>

/** One event of the log, still encoded. */
export interface RawEvent {
  readonly position: number
  readonly line: string
}

/** A chunk not shaped as this version writes them (edited by hand, damaged): its events cannot be told apart. */
export interface DamagedChunk {
  readonly key: IDBValidKey
  /** Its first position, when it says. */
  readonly position: number | undefined
  /** Events it claims to hold (1 when it does not say). */
  readonly count: number
  readonly problem: string
}

/** What is wrong with a chunk's shape, or undefined when its arrays and lines agree. */
const problemOf = (chunk: Chunk, lines: readonly string[] | undefined): string | undefined => {
  if (typeof chunk !== 'object' || chunk === null) return 'it is not an object'
  if (!Number.isSafeInteger(chunk.from) || !Number.isSafeInteger(chunk.to) || chunk.to < chunk.from) return 'its positions ("from", "to") are not whole numbers in order'
  const n = chunk.to - chunk.from + 1
  if (!Array.isArray(chunk.t) || chunk.t.length !== n || !Array.isArray(chunk.ms) || chunk.ms.length !== n) return `its types and times are not ${n} each, as its positions say`
  if (lines === undefined) return 'its events ("e") are not text'
  if (lines.length !== n) return `it holds ${lines.length} lines of events where its positions say ${n}`
  return undefined
}

const damaged = (key: IDBValidKey, chunk: Chunk, problem: string): DamagedChunk => {
  const from = (chunk as Partial<Chunk> | null)?.from
  const to = (chunk as Partial<Chunk> | null)?.to
  const position = Number.isSafeInteger(from) ? from : undefined
  const count = position !== undefined && Number.isSafeInteger(to) && to! >= position ? to! - position + 1 : 1
  return { key, position, count, problem }
}

/** Events of a page so far, for its size: a damaged chunk counts one. */
const eventsIn = (chunk: Chunk): number => (Array.isArray(chunk?.t) ? chunk.t.length : 1)

/** A read transaction stops taking chunks past this many events, or this many chunks. */
const PAGE_EVENTS = 1000
const PAGE_CHUNKS = 256
/** Chunk keys fetched per read transaction when a plan gave the keys. */
const PAGE_KEYS = 64

const toEpoch = (t: TimeBound): number => (typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime())

/*
 * Transaction rules, kept by every function below:
 * - A page of chunks is read in one readonly transaction, and its events are yielded only after it
 *   completed: the caller's code between two events may await anything, which would let a
 *   transaction still open auto-commit under us (TransactionInactiveError).
 * - Inside a transaction nothing is awaited but its own requests.
 * - Each page continues from the last chunk key read, so chunks appended meanwhile (by this tab or
 *   another) are read in order and never twice.
 */

/** Up to a page of chunks, following key `after` (ascending) or preceding key `before` (descending). */
async function pageOfChunks(db: IDBPDatabase<TidingsDB>, desc: boolean, after: number, before: number): Promise<Chunk[]> {
  const tx = db.transaction('chunks', 'readonly')
  const range = desc
    ? (before === Infinity ? null : IDBKeyRange.upperBound(before, true))
    : (after === -Infinity ? null : IDBKeyRange.lowerBound(after, true))
  const out: Chunk[] = []
  let events = 0
  for (let cursor = await tx.store.openCursor(range, desc ? 'prev' : 'next'); cursor; cursor = await cursor.continue()) {
    out.push(cursor.value)
    events += eventsIn(cursor.value)
    if (events >= PAGE_EVENTS || out.length >= PAGE_CHUNKS) break
  }
  await tx.done
  return out
}

/** The chunks with these keys, in one transaction. */
async function chunksAt(db: IDBPDatabase<TidingsDB>, keys: readonly number[]): Promise<Chunk[]> {
  const tx = db.transaction('chunks', 'readonly')
  const chunks = await Promise.all(keys.map((k) => tx.store.get(k)))
  await tx.done
  return chunks.filter((c): c is Chunk => c !== undefined)
}

/**
 * The keys of the chunks that may hold matching events, from the `type`, `first` and `last` indexes
 * (numbers only: memory grows with the number of matching chunks, not events).
 */
async function candidateKeys(db: IDBPDatabase<TidingsDB>, types: readonly string[] | undefined, since: number, until: number): Promise<number[]> {
  const tx = db.transaction('chunks', 'readonly')
  const sets: Array<Set<number>> = []
  if (types) {
    const byType = await Promise.all(types.map((t) => tx.store.index('type').getAllKeys(IDBKeyRange.only(t))))
    sets.push(new Set(byType.flat()))
  }
  if (since !== -Infinity) sets.push(new Set(await tx.store.index('last').getAllKeys(IDBKeyRange.lowerBound(since))))
  if (until !== Infinity) sets.push(new Set(await tx.store.index('first').getAllKeys(IDBKeyRange.upperBound(until, true))))
  await tx.done
  const [smallest, ...rest] = sets.sort((a, b) => a.size - b.size)
  return [...smallest!].filter((k) => rest.every((s) => s.has(k)))
}

/**
 * The events matching `query`, still encoded, in position order (or reversed). With types or a time
 * range the indexes name the chunks to read; otherwise chunks are read in key order. Within a chunk,
 * events are filtered on their type, time and position before anything is decoded. A chunk whose
 * shape is wrong is handed over as a DamagedChunk, in its place, and the read goes on; `limit`
 * counts events only.
 */
export async function* readEvents(db: Db, query: ReadQuery): AsyncGenerator<RawEvent | DamagedChunk> {
  const desc = query.order === 'desc'
  const limit = query.limit ?? Infinity
  const types = query.types ? new Set(query.types) : undefined
  const since = query.since === undefined ? -Infinity : toEpoch(query.since)
  const until = query.until === undefined ? Infinity : toEpoch(query.until)
  const lo = query.after ?? 0
  const hi = query.before ?? Infinity
  if (limit <= 0 || types?.size === 0 || lo >= hi) return
  const timed = since !== -Infinity || until !== Infinity
  let count = 0

  /** The matching events of one chunk, in read order; false once the read is complete. */
  const take = function* (chunk: Chunk): Generator<RawEvent | DamagedChunk, boolean> {
    const lines = typeof chunk?.e === 'string' ? chunk.e.split('\n') : undefined
    const problem = problemOf(chunk, lines)
    if (problem !== undefined) {
      const damage = damaged(chunk?.to, chunk, problem)
      // Its events cannot be filtered: it is reported whenever a read passes its place.
      if (damage.position === undefined || (damage.position + damage.count - 1 > lo && damage.position < hi)) yield damage
      return true
    }
    const n = chunk.t.length
    for (let k = 0; k < n; k++) {
      const i = desc ? n - 1 - k : k
      const position = chunk.from + i
      if (position <= lo || position >= hi) continue
      if (types && !types.has(chunk.t[i]!)) continue
      if (timed && !(chunk.ms[i]! >= since && chunk.ms[i]! < until)) continue
      yield { position, line: lines![i]! }
      if (++count >= limit) return false
    }
    return true
  }

  if (types || timed) {
    const keys = (await candidateKeys(await db(), types && [...types], since, until)).filter((k) => k > lo)
    keys.sort(desc ? (a, b) => b - a : (a, b) => a - b)
    for (let i = 0; i < keys.length; i += PAGE_KEYS) {
      for (const chunk of await chunksAt(await db(), keys.slice(i, i + PAGE_KEYS))) {
        if (chunk.from >= hi) {
          if (desc) continue
          return
        }
        if (!(yield* take(chunk))) return
      }
    }
    return
  }

  // Descending, start at the chunk that holds `before - 1` (the first key at or above it).
  let before = hi === Infinity ? Infinity : ((await (await db()).getKey('chunks', IDBKeyRange.lowerBound(hi - 1))) ?? Infinity) + 1
  let after = lo
  for (;;) {
    const page = await pageOfChunks(await db(), desc, after, before)
    for (const chunk of page) {
      if (desc ? chunk.to <= lo : chunk.from >= hi) return
      if (!(yield* take(chunk))) return
    }
    if (page.length === 0) return
    if (desc) before = page[page.length - 1]!.to
    else after = page[page.length - 1]!.to
  }
}

/** Counts by positions alone (the log's positions have no gaps) unless the query filters on types or time. */
export async function countEvents(db: Db, query: ReadQuery): Promise<number> {
  const countRead = async () => {
    let n = 0
    for await (const raw of readEvents(db, query)) if ('line' in raw) n++
    return n
  }
  if (query.types !== undefined || query.since !== undefined || query.until !== undefined) return countRead()
  const conn = await db()
  const tx = conn.transaction('chunks', 'readonly')
  const [oldest, newest] = await Promise.all([tx.store.openCursor(), tx.store.openKeyCursor(null, 'prev')])
  const first = oldest?.value.from
  const last = newest?.key
  await tx.done
  if (first === undefined || last === undefined) return 0
  // Positions say nothing when the oldest or newest chunk is damaged.
  if (!Number.isSafeInteger(first) || typeof last !== 'number') return countRead()
  const n = Math.min(last, (query.before ?? Infinity) - 1) - Math.max(first, (query.after ?? 0) + 1) + 1
  return Math.max(0, Math.min(n, query.limit ?? Infinity))
}
