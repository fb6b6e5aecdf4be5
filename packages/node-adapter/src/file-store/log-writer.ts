import { open, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { GroupCommit, SpaceRetry } from '@tidings/core'
import type { TidingsError } from '@tidings/core'
import { SYNC } from './sync'
import { errnoOf, storageError, syncDirectory } from './io'
import type { Quarantine } from './quarantine'
import { RecordBuffer } from './record-buffer'
import { recoverNewest } from './recovery'
import { expiredSegments } from './retention'
import type { RetentionOptions } from './retention'
import type { SeekIndex } from './seek-index'
import { listSegments, segmentName } from './segments'
import { appendWaitingForSpace } from './space'
import type { Segment } from './segments'

/** 'fsync': every commit is fdatasync'ed before it resolves. 'interval': fdatasync every few ms. 'none': when the OS decides. */
export type Durability = 'fsync' | 'interval' | 'none'

type Item = readonly string[] | typeof SYNC

export interface LogWriterOptions {
  dir: string
  durability: Durability
  maxSegmentBytes: number
  retention: RetentionOptions
  index: SeekIndex
  quarantine: Quarantine
  /** Failures handled here (a full disk) that no caller sees. */
  report(error: TidingsError): void
}

/**
 * Appends records to the newest segment, one write per group of batches, framed in one reused buffer. Positions are given here,
 * in commit order, as the newest segment's last position + 1: they stay consecutive and are never
 * reused, because a failed write is cut back before anything else is written.
 */
export class LogWriter {
  private readonly writer = new GroupCommit<Item>((items) => this.commit(items))
  /** One commit's records at a time: commits run one after another, each awaiting its write. */
  private readonly records = new RecordBuffer()
  private dirty = false
  private failure: TidingsError | undefined
  private readonly retry: SpaceRetry

  private constructor(
    readonly segments: Segment[],
    private file: FileHandle,
    private readonly options: LogWriterOptions,
  ) {
    this.retry = new SpaceRetry(options.report)
  }

  /**
   * Opens the log of `dir` for writing: recovers its newest segment, then applies retention. A
   * sealed segment ends where the next one starts, whatever damage its last records may have.
   */
  static async open(options: LogWriterOptions): Promise<LogWriter> {
    const { dir, index } = options
    const segments = await listSegments(dir)
    if (segments.length === 0) {
      segments.push({ first: 1, path: join(dir, segmentName(1)), size: 0, last: 0, mtimeMs: Date.now() })
    } else {
      for (let i = 0; i < segments.length - 1; i++) segments[i]!.last = segments[i + 1]!.first - 1
      await recoverNewest(segments[segments.length - 1]!, index, options.quarantine)
    }
    const file = await open(segments[segments.length - 1]!.path, 'a')
    if (options.durability !== 'none') await syncDirectory(dir)
    const writer = new LogWriter(segments, file, options)
    await writer.applyRetention()
    return writer
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1]!
  }

  /** Resolves once `lines` are written (and fdatasync'ed, with 'fsync'). */
  append(lines: readonly string[]): Promise<void> {
    return this.writer.submit(lines)
  }

  /** Resolves when everything appended so far is written, and on disk unless durability is 'none'. */
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

  private async commit(items: Item[]): Promise<void> {
    if (this.failure) throw this.failure
    const first = this.active.last + 1
    const records = this.records
    let position = first
    let sync = this.options.durability === 'fsync'
    records.clear()
    for (const item of items) {
      if (item === SYNC) sync = true
      else for (const line of item) records.add(position++, line)
    }
    if (position > first) {
      const buf = records.bytes
      if (this.active.size > 0 && this.active.size + buf.length > this.options.maxSegmentBytes) await this.rotate(first)
      const segment = this.active
      const offset = segment.size
      await this.write(buf, offset, position - first)
      segment.size += buf.length
      segment.last = position - 1
      segment.mtimeMs = Date.now()
      this.options.index.add(segment.first, first, offset)
      this.dirty = true
    }
    if (sync && this.dirty) {
      try {
        await this.file.datasync()
      } catch (error) {
        // After a failed fdatasync the kernel may have dropped the pages: nothing written since the last good sync can be trusted.
        throw (this.failure = storageError(`fdatasync failed on ${this.active.path}; close the store and open it again`, error, { path: this.active.path }))
      }
      this.dirty = false
    }
  }

  private write(buf: Buffer, offset: number, events: number): Promise<void> {
    const path = this.active.path
    return appendWaitingForSpace(this.retry, { file: this.file, path, offset }, buf, {
      dir: this.options.dir,
      what: `${events} events`,
      details: { dir: this.options.dir, events },
      cutFailed: (error) => (this.failure = storageError(`Could not cut ${path} back after a failed write; close the store and open it again`, error, { path })),
    })
  }

  /** Seals the newest segment (always fdatasync'ed: only the newest segment can have a torn tail) and starts the next. */
  private async rotate(first: number): Promise<void> {
    const segment: Segment = { first, path: join(this.options.dir, segmentName(first)), size: 0, last: first - 1, mtimeMs: Date.now() }
    try {
      await this.file.datasync()
      await this.file.close()
      this.file = await open(segment.path, 'a')
      this.segments.push(segment)
      this.dirty = false
      if (this.options.durability !== 'none') await syncDirectory(this.options.dir)
    } catch (error) {
      throw (this.failure = storageError(`Could not start segment ${segment.path}; close the store and open it again`, error, { path: segment.path }))
    }
    await this.applyRetention()
  }

  /** Retention never fails a write: a segment that cannot be deleted now is reported and tried again at the next rotation. */
  private async applyRetention(): Promise<void> {
    const expired = expiredSegments(this.segments, this.options.retention, Date.now())
    if (expired.length === 0) return
    try {
      for (const s of expired) {
        await unlink(s.path).catch((error: unknown) => {
          if (errnoOf(error) !== 'ENOENT') throw error
        })
        this.options.index.forget(s.first)
        await this.options.quarantine.forget(s.path)
        this.segments.shift()
      }
      if (this.options.durability !== 'none') await syncDirectory(this.options.dir)
    } catch (error) {
      this.options.report(storageError(`Retention could not delete old segments of ${this.options.dir}`, error, { dir: this.options.dir }))
    }
  }
}
