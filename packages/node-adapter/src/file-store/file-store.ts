import { mkdir, realpath, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { TidingsError, createCodec, defineStore } from '@tidings/core'
import type { Codec, DeadLetterEntry, Envelope, ReadQuery, Store, StoredRecord } from '@tidings/core'
import { DeadLetterFile, loadDeadLetters } from './dead-letter-file'
import type { StoredDeadLetter } from './dead-letter-file'
import { syncDirectory } from './io'
import { lockDirectory } from './lock'
import { countPositions, filtersContent, scanLog } from './log-reader'
import { LogWriter } from './log-writer'
import type { Durability } from './log-writer'
import { Quarantine } from './quarantine'
import { lastPositionOf } from './recovery'
import { encodeEach } from './encode-each'
import type { RetentionOptions } from './retention'
import { SeekIndex } from './seek-index'
import { listSegments } from './segments'
import type { Segment } from './segments'

export interface FileStoreOptions {
  /** The store's directory (created if missing, unless `readOnly`). One process writes it at a time. */
  dir: string
  /**
   * When an append counts as written. `'fsync'` (default): each group of appends is fdatasync'ed
   * before it resolves, so an acknowledged event survives a crash of the process or of the machine.
   * `'interval'`: fdatasync every `syncIntervalMs`; a machine crash may lose that much.
   * `'none'`: the OS writes back when it likes; a process crash loses nothing, a machine crash may.
   * In every mode a segment is fdatasync'ed once when it is closed, so only the newest one can be torn.
   */
  durability?: Durability
  /** With `durability: 'interval'` (default 1000 ms). */
  syncIntervalMs?: number
  /** A segment file is closed and a new one started past this size (default 16 MiB). */
  maxSegmentBytes?: number
  /** Deletes old segments by age, size or count, at open and whenever a segment is closed. */
  retention?: RetentionOptions
  /**
   * Reads what other processes wrote, without the lock: for tools (`tidings tail`) next to a running
   * service. Writes reject with E_STORAGE_READ_ONLY.
   */
  readOnly?: boolean
  /** How envelopes are written and read back (default: `createCodec(undefined, { unknown: 'keep' })`). Pass `createCodec(catalog)` to upcast old events on read. */
  codec?: Codec
}

const DLQ_FILE = 'dead-letters.ndjson'
const DURABILITIES: readonly Durability[] = ['fsync', 'interval', 'none']

const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)
const asStorageError = (error: unknown, message: string): TidingsError =>
  error instanceof TidingsError ? error : new TidingsError('E_STORAGE', `${message}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })

/** What an open writable store holds. */
interface Writable {
  log: LogWriter
  dlq: DeadLetterFile
  release: () => Promise<void>
}

const checkOptions = (options: FileStoreOptions) => {
  if (options === null || typeof options !== 'object' || typeof options.dir !== 'string' || options.dir === '') {
    throw invalid('fileStore() needs a directory: fileStore({ dir: "./data/events" })')
  }
  if (options.durability !== undefined && !DURABILITIES.includes(options.durability)) {
    throw invalid(`fileStore(): durability must be 'fsync', 'interval' or 'none'; got ${String(options.durability)}`)
  }
  for (const key of ['syncIntervalMs', 'maxSegmentBytes'] as const) {
    const value = options[key]
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw invalid(`fileStore(): ${key} must be a positive number; got ${String(value)}`)
  }
  for (const key of ['maxAgeMs', 'maxBytes', 'maxEvents'] as const) {
    const value = options.retention?.[key]
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw invalid(`fileStore(): retention.${key} must be a number ≥ 0; got ${String(value)}`)
  }
}

/**
 * A Store in a directory of append-only NDJSON segment files, for Node. Appends are group-committed:
 * all appends made while one write is in flight share the next write and fdatasync. Every line
 * carries a checksum; a damaged one, wherever it is found (on open, or by a read), is moved to a
 * quarantine file beside its own and reported with E_STORAGE_DAMAGED, and nothing else is lost.
 * A lock file keeps other processes out. Dead letters live in their own file, compacted as it grows.
 */
export function fileStore(options: FileStoreOptions): Store {
  checkOptions(options)
  const dir = resolve(options.dir)
  const durability = options.durability ?? 'fsync'
  const readOnly = options.readOnly === true
  const codec = options.codec ?? createCodec(undefined, { unknown: 'keep' })
  const index = new SeekIndex()
  const listeners = new Set<(error: TidingsError) => void>()
  /** Appends and dead-letter writes not settled yet: close() lets them finish. */
  const inFlight = new Set<Promise<unknown>>()
  /** Read-only: the last position of the newest segment, while its name and size stay the same. */
  let newestLast: { key: string; last: number } | undefined
  let state: 'open' | 'closing' | 'closed' = 'open'
  let closing: Promise<void> | undefined
  let timer: ReturnType<typeof setInterval> | undefined

  const report = (error: TidingsError) => {
    if (listeners.size === 0) console.error(error)
    for (const listener of listeners) {
      try {
        listener(error)
      } catch (thrown) {
        // A listener that throws must not stop the others, nor the store's recovery that reported.
        console.error(thrown)
      }
    }
  }
  const quarantine = new Quarantine({ readOnly, report })

  const openWritable = async (): Promise<Writable> => {
    await mkdir(dir, { recursive: true })
    const release = await lockDirectory(await realpath(dir))
    try {
      const log = await LogWriter.open({ dir, durability, maxSegmentBytes: options.maxSegmentBytes ?? 16 * 1024 * 1024, retention: options.retention ?? {}, index, quarantine, report })
      const dlq = await DeadLetterFile.open(join(dir, DLQ_FILE), { dir, durability, quarantine, report, syncDirectory: () => syncDirectory(dir) })
      if (durability === 'interval') {
        timer = setInterval(() => {
          Promise.all([log.flush(), dlq.flush()]).catch((error: unknown) => report(asStorageError(error, `Could not fdatasync the file store at ${dir}`)))
        }, options.syncIntervalMs ?? 1000)
        timer.unref()
      }
      return { log, dlq, release }
    } catch (error) {
      await release()
      throw error
    }
  }

  const openReadOnly = async (): Promise<undefined> => {
    const info = await stat(dir).catch(() => undefined)
    if (!info?.isDirectory()) throw new TidingsError('E_STORAGE', `There is no file store at ${dir}: check the path (a read-only store does not create one)`, { details: { dir } })
    return undefined
  }

  const opening: Promise<Writable | undefined> = (readOnly ? openReadOnly() : openWritable()).catch((error: unknown) => {
    throw asStorageError(error, `Could not open the file store at ${dir}`)
  })
  const ready = opening.then(() => {})
  // The failure is also every later call's rejection; without this line an unobserved `ready` would crash the process.
  ready.catch(() => {})

  const checkOpen = () => {
    if (state !== 'open') throw new TidingsError('E_CLOSED', `The file store at ${dir} is closed: create a new one with fileStore()`)
  }
  const checkWritable = () => {
    checkOpen()
    if (readOnly) throw new TidingsError('E_STORAGE_READ_ONLY', `The file store at ${dir} was opened with readOnly: true; open it without readOnly (in the process that owns it) to write`, { details: { dir } })
  }
  /** Every failure leaves the store as a TidingsError; file-system errors become E_STORAGE, naming the directory. */
  const failed = (what: string) => (error: unknown): never => {
    throw asStorageError(error, `${what} in the file store at ${dir}`)
  }
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work)
    const done = () => void inFlight.delete(work)
    work.then(done, done)
    return work
  }

  /** The segments to read: the writer's own list, or the directory as it is now. */
  const segmentsNow = async (): Promise<readonly Segment[]> => {
    const writable = await opening
    if (writable) return writable.log.segments.map((s) => ({ ...s }))
    const segments = await listSegments(dir)
    const newest = segments[segments.length - 1]
    for (let i = 0; i < segments.length - 1; i++) segments[i]!.last = segments[i + 1]!.first - 1
    if (newest !== undefined) {
      const key = `${newest.path}:${newest.size}`
      newest.last = newestLast?.key === key ? newestLast.last : await lastPositionOf(newest)
      newestLast = { key, last: newest.last }
    }
    return segments
  }

  const toStored = (entry: DeadLetterEntry): StoredDeadLetter =>
    JSON.parse(JSON.stringify({ ...entry, envelope: JSON.parse(codec.encode(entry.envelope)) as unknown })) as StoredDeadLetter
  const fromStored = (stored: StoredDeadLetter): DeadLetterEntry =>
    ({ ...(JSON.parse(JSON.stringify(stored)) as DeadLetterEntry), envelope: codec.decode(stored.envelope as object) })

  return defineStore({
    ready,
    append(envelopes: readonly Envelope[]) {
      return track((async () => {
        checkWritable()
        if (envelopes.length === 0) return
        // Encoded now, so that later changes to an envelope's data do not reach the log.
        const { lines, refused } = encodeEach(codec, envelopes)
        const { log } = (await opening)!
        if (lines.length) await log.append(lines).catch(failed(`Could not append ${lines.length} events`))
        if (refused) throw refused
      })())
    },
    async *read(query: ReadQuery = {}): AsyncGenerator<StoredRecord> {
      checkOpen()
      const records = scanLog(await segmentsNow().catch(failed('Could not list the segments')), index, query, quarantine)
      try {
        for (;;) {
          const next = await records.next().catch(failed('Could not read the log'))
          if (next.done) return
          yield { position: next.value.p, envelope: codec.decode(next.value.e) }
        }
      } finally {
        // A reader that stops early closes the segment file being read.
        await records.return(undefined)
      }
    },
    async count(query: ReadQuery = {}) {
      checkOpen()
      const segments = await segmentsNow().catch(failed('Could not list the segments'))
      if (!filtersContent(query)) return countPositions(segments, query, quarantine).catch(failed('Could not count the log'))
      let n = 0
      const records = scanLog(segments, index, query, quarantine)
      while (!(await records.next().catch(failed('Could not read the log'))).done) n++
      return n
    },
    putDeadLetter(entry: DeadLetterEntry) {
      return track((async () => {
        checkWritable()
        const stored = toStored(entry)
        const { dlq } = (await opening)!
        await dlq.put(stored).catch(failed(`Could not store dead letter ${entry.id}`))
      })())
    },
    async listDeadLetters() {
      checkOpen()
      const writable = await opening
      const entries = writable ? writable.dlq.entries : (await loadDeadLetters(join(dir, DLQ_FILE), quarantine).catch(failed('Could not read the dead letters'))).entries
      return [...entries.values()].map(fromStored)
    },
    deleteDeadLetter(id: string) {
      return track((async () => {
        checkWritable()
        const { dlq } = (await opening)!
        await dlq.delete(id).catch(failed(`Could not delete dead letter ${id}`))
      })())
    },
    async flush() {
      const writable = await opening
      await Promise.allSettled(inFlight)
      if (writable && state !== 'closed') await Promise.all([writable.log.flush(), writable.dlq.flush()]).catch(failed('Could not flush'))
    },
    close() {
      return (closing ??= (async () => {
        state = 'closing'
        clearInterval(timer)
        const writable = await opening.catch(() => undefined)
        await Promise.allSettled(inFlight)
        try {
          if (writable) await Promise.all([writable.log.close(), writable.dlq.close()]).catch(failed('Could not close'))
        } finally {
          state = 'closed'
          await writable?.release()
        }
      })())
    },
    onError(listener: (error: TidingsError) => void) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  })
}
