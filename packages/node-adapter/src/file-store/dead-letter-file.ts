import { open, readFile, rename } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { GroupCommit } from '@tidings/core'
import { SYNC } from './sync'
import { writeAll } from './io'
import type { Durability } from './log-writer'

/** A dead-letter entry as stored: plain JSON, its envelope in the codec's JSON form. */
export type StoredDeadLetter = { readonly id: string } & Record<string, unknown>

/** Compaction runs once the file holds this many lines more than live entries (and more lines than twice the entries). */
const GARBAGE_LINES = 1000

/** What a dead-letter file holds: the live entries, and the length of its valid part. */
interface Loaded {
  entries: Map<string, StoredDeadLetter>
  lines: number
  validBytes: number
  size: number
}

/**
 * Reads a dead-letter file: one operation per line, `{"put":{entry}}` or `{"del":"id"}`, replayed in
 * order. Like the log, a line cut short by a crash (or anything after it) is not part of the file.
 */
export async function loadDeadLetters(path: string): Promise<Loaded> {
  const buf = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return Buffer.alloc(0)
    throw error
  })
  const entries = new Map<string, StoredDeadLetter>()
  let lines = 0
  let from = 0
  for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, from)) {
    let op: { put?: StoredDeadLetter; del?: unknown } | null
    try {
      op = JSON.parse(buf.toString('utf8', from, nl)) as typeof op
    } catch {
      break
    }
    if (op !== null && typeof op === 'object' && op.put !== null && typeof op.put === 'object' && typeof op.put.id === 'string') entries.set(op.put.id, op.put)
    else if (op !== null && typeof op === 'object' && typeof op.del === 'string') entries.delete(op.del)
    else break
    lines++
    from = nl + 1
  }
  return { entries, lines, validBytes: from, size: buf.length }
}

export interface DeadLetterFileOptions {
  durability: Durability
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
  private dirty = false

  private constructor(
    private readonly path: string,
    private file: FileHandle,
    readonly entries: Map<string, StoredDeadLetter>,
    private lines: number,
    /** Bytes of complete lines: where a failed write is cut back to. */
    private size: number,
    private readonly options: DeadLetterFileOptions,
  ) {}

  static async open(path: string, options: DeadLetterFileOptions): Promise<DeadLetterFile> {
    const loaded = await loadDeadLetters(path)
    const file = await open(path, 'a')
    if (loaded.validBytes < loaded.size) {
      await file.truncate(loaded.validBytes)
      await file.datasync()
    }
    const dlq = new DeadLetterFile(path, file, loaded.entries, loaded.lines, loaded.validBytes, options)
    if (dlq.needsCompaction()) await dlq.compact()
    return dlq
  }

  /** Lists the entry at once; if its write fails, the listing goes back to what the file holds. */
  put(entry: StoredDeadLetter): Promise<void> {
    const before = this.entries.get(entry.id)
    this.entries.set(entry.id, entry)
    return this.writer.submit(`${JSON.stringify({ put: entry })}\n`).catch((error: unknown) => {
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
    return this.writer.submit(`${JSON.stringify({ del: id })}\n`).catch((error: unknown) => {
      if (!this.entries.has(id)) this.entries.set(id, before)
      throw error
    })
  }

  /** Resolves when every put and delete so far is written, and on disk unless durability is 'none'. */
  flush(): Promise<void> {
    return this.options.durability === 'none' ? this.writer.idle() : this.writer.submit(SYNC)
  }

  async close(): Promise<void> {
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
    const lines = items.filter((item): item is string => item !== SYNC)
    if (lines.length) {
      const buf = Buffer.from(lines.join(''))
      try {
        await writeAll(this.file, buf)
      } catch (error) {
        // A torn line would hide every line after it from the next load: cut it off now.
        await this.file.truncate(this.size)
        throw error
      }
      this.size += buf.length
      this.lines += lines.length
      this.dirty = true
    }
    if (this.dirty && (this.options.durability === 'fsync' || lines.length < items.length)) {
      await this.file.datasync()
      this.dirty = false
    }
    if (this.needsCompaction()) await this.compact()
  }

  private async compact(): Promise<void> {
    const tmp = `${this.path}.compacting`
    const out = await open(tmp, 'w')
    try {
      let text = ''
      for (const entry of this.entries.values()) {
        text += `${JSON.stringify({ put: entry })}\n`
        if (text.length > 1 << 20) {
          await writeAll(out, Buffer.from(text))
          text = ''
        }
      }
      await writeAll(out, Buffer.from(text))
      await out.datasync()
    } finally {
      await out.close()
    }
    await rename(tmp, this.path)
    await this.options.syncDirectory()
    await this.file.close()
    this.file = await open(this.path, 'a')
    this.size = (await this.file.stat()).size
    this.lines = this.entries.size
    this.dirty = false
  }
}
