import { open, rename, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { GroupCommit, SpaceRetry } from '@tidings/core'
import type { TidingsError } from '@tidings/core'
import { isBlank, sealLine, unsealLine } from './checksum'
import { DamageRuns } from './damage-runs'
import { storageError, writeAll } from './io'
import { linesForward } from './lines'
import type { Durability } from './log-writer'
import type { Quarantine } from './quarantine'
import { appendWaitingForSpace } from './space'
import { SYNC } from './sync'

/** A dead-letter entry as stored: plain JSON, its envelope in the codec's JSON form. */
export type StoredDeadLetter = { readonly id: string } & Record<string, unknown>

const operationLine = (op: 'put' | 'del', value: unknown): string => sealLine(`"${op}":${JSON.stringify(value)}`)

/** Compaction runs once the file holds this many lines more than live entries (and more lines than twice the entries). */
const GARBAGE_LINES = 1000

/** What a dead-letter file holds: the live entries, and the length of its complete lines. */
interface Loaded {
  entries: Map<string, StoredDeadLetter>
  lines: number
  size: number
}

type Operation = { put?: StoredDeadLetter; del?: unknown } | null | undefined

/**
 * Reads a dead-letter file: one operation per line, `{"c":<crc>,"put":{entry}}` or
 * `{"c":<crc>,"del":"id"}`, replayed in order. A damaged line is handed to the quarantine and
 * replay goes on past it (a lost `del` brings its entry back, a lost `put` keeps the entry's
 * previous version: nothing else is lost). With `repair` (the writer opening the file), bytes after
 * the last '\n' are a write cut short by a crash and go to quarantine too, unless they are a whole
 * line that only lost its '\n'; without it they are a write still going on, and not read.
 */
export async function loadDeadLetters(path: string, quarantine: Quarantine, repair = false): Promise<Loaded> {
  const entries = new Map<string, StoredDeadLetter>()
  const loaded: Loaded = { entries, lines: 0, size: 0 }
  const file = await open(path, repair ? 'r+' : 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (file === undefined) return loaded
  const runs = new DamageRuns(path, (damage) => quarantine.keep(damage))
  const replay = (line: string): boolean => {
    const op = unsealLine(line) as Operation
    if (op !== null && typeof op === 'object' && op.put !== null && typeof op.put === 'object' && typeof op.put.id === 'string') entries.set(op.put.id, op.put)
    else if (op !== null && typeof op === 'object' && typeof op.del === 'string') entries.delete(op.del)
    else return false
    return true
  }
  try {
    const { size } = await file.stat()
    for await (const { lines, starts, ends } of linesForward(file, 0, size)) {
      for (let i = 0; i < lines.length; i++) {
        loaded.size = ends[i]!
        loaded.lines++
        if (isBlank(lines[i]!)) continue
        if (replay(lines[i]!)) await runs.close(0, -1)
        else runs.damaged(starts[i]!, ends[i]!)
      }
    }
    await runs.close(0, -1)
    if (repair && loaded.size < size) {
      const tail = Buffer.alloc(size - loaded.size)
      await file.read(tail, 0, tail.length, loaded.size)
      const whole = tail[tail.length - 1] === 0x7d ? tail : tail.subarray(0, -1)
      if (replay(whole.toString('utf8'))) {
        await file.write(Buffer.from('\n'), 0, 1, loaded.size + whole.length)
        await file.datasync()
        loaded.size += whole.length + 1
        loaded.lines++
      } else {
        await quarantine.keep({ path, offset: loaded.size, bytes: tail.length, count: 1 }, 'cut')
      }
    }
    return loaded
  } finally {
    await file.close()
  }
}

export interface DeadLetterFileOptions {
  dir: string
  durability: Durability
  quarantine: Quarantine
  /** Failures handled here (a full disk, a compaction that could not run) that no caller sees. */
  report(error: TidingsError): void
  /** Makes a rename in the store's directory durable. */
  syncDirectory(): Promise<void>
}

/**
 * The dead-letter queue's own append-only file, so that retention of the log never touches it.
 * Updates and deletions are appended; when they outweigh the live entries the file is rewritten
 * with only those (to a temporary file, fsync'ed, then renamed over the old one: a crash leaves
 * either the old file or the new one, never a mix).
 */
export class DeadLetterFile {
  private readonly writer = new GroupCommit<string | typeof SYNC>((items) => this.commit(items))
  private readonly retry: SpaceRetry
  private dirty = false
  private failure: TidingsError | undefined

  private constructor(
    private readonly path: string,
    private file: FileHandle,
    readonly entries: Map<string, StoredDeadLetter>,
    private lines: number,
    /** Bytes of complete lines: where a failed write is cut back to. */
    private size: number,
    private readonly options: DeadLetterFileOptions,
  ) {
    this.retry = new SpaceRetry(options.report)
  }

  static async open(path: string, options: DeadLetterFileOptions): Promise<DeadLetterFile> {
    const loaded = await loadDeadLetters(path, options.quarantine, true)
    const file = await open(path, 'a')
    const dlq = new DeadLetterFile(path, file, loaded.entries, loaded.lines, loaded.size, options)
    await dlq.compactIfNeeded()
    return dlq
  }

  /**
   * Lists the entry at once; if its write fails, the listing goes back to what the file holds. On a
   * full disk the write waits for space (see appendWaitingForSpace), and so does this promise.
   */
  put(entry: StoredDeadLetter): Promise<void> {
    const before = this.entries.get(entry.id)
    this.entries.set(entry.id, entry)
    return this.writer.submit(operationLine('put', entry)).catch((error: unknown) => {
      if (this.entries.get(entry.id) === entry) {
        if (before === undefined) this.entries.delete(entry.id)
        else this.entries.set(entry.id, before)
      }
      throw error
    })
  }

  delete(id: string): Promise<void> {
    const before = this.entries.get(id)
    if (before === undefined) return Promise.resolve()
    this.entries.delete(id)
    return this.writer.submit(operationLine('del', id)).catch((error: unknown) => {
      if (!this.entries.has(id)) this.entries.set(id, before)
      throw error
    })
  }

  /** Resolves when every put and delete so far is written, and on disk unless durability is 'none'. */
  flush(): Promise<void> {
    return this.options.durability === 'none' ? this.writer.idle() : this.writer.submit(SYNC)
  }

  async close(): Promise<void> {
    this.retry.close()
    try {
      await this.flush()
    } finally {
      await this.file.close()
    }
  }

  private needsCompaction(): boolean {
    const garbage = this.lines - this.entries.size
    return garbage > GARBAGE_LINES && garbage > this.entries.size
  }

  private async commit(items: Array<string | typeof SYNC>): Promise<void> {
    if (this.failure) throw this.failure
    const lines = items.filter((item): item is string => item !== SYNC)
    if (lines.length) {
      const buf = Buffer.from(lines.join(''))
      await appendWaitingForSpace(this.retry, { file: this.file, path: this.path, offset: this.size }, buf, {
        dir: this.options.dir,
        what: `${lines.length} dead-letter ${lines.length === 1 ? 'update' : 'updates'}`,
        details: { dir: this.options.dir, path: this.path, deadLetters: lines.length },
        cutFailed: (error) => (this.failure = storageError(`Could not cut ${this.path} back after a failed write; close the store and open it again`, error, { path: this.path })),
      })
      this.size += buf.length
      this.lines += lines.length
      this.dirty = true
    }
    if (this.dirty && (this.options.durability === 'fsync' || lines.length < items.length)) {
      await this.file.datasync()
      this.dirty = false
    }
    await this.compactIfNeeded()
  }

  /** What was written is durable whether or not compaction runs: a compaction that fails (a full disk) is reported and tried again after the next write. */
  private async compactIfNeeded(): Promise<void> {
    if (!this.needsCompaction()) return
    await this.compact().catch((error: unknown) => this.options.report(storageError(`Could not compact ${this.path}; it is tried again after the next write`, error, { path: this.path })))
  }

  private async compact(): Promise<void> {
    const tmp = `${this.path}.compacting`
    const out = await open(tmp, 'w')
    try {
      let text = ''
      for (const entry of this.entries.values()) {
        text += operationLine('put', entry)
        if (text.length > 1 << 20) {
          await writeAll(out, Buffer.from(text))
          text = ''
        }
      }
      await writeAll(out, Buffer.from(text))
      await out.datasync()
    } catch (error) {
      await out.close()
      await unlink(tmp).catch(() => {})
      throw error
    }
    await out.close()
    await rename(tmp, this.path)
    await this.options.syncDirectory()
    await this.file.close()
    this.file = await open(this.path, 'a')
    this.size = (await this.file.stat()).size
    this.lines = this.entries.size
    this.dirty = false
  }
}
