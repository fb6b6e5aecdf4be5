import { open, readFile, unlink } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { TidingsError } from '@tidings/core'
import { sealLine, unsealLine } from './checksum'
import { errnoOf, syncDirectory, writeAll } from './io'

/** Bytes of a store file that cannot be read. */
export interface Damage {
  /** The damaged file. */
  readonly path: string
  /** Where the damaged bytes start in it, and how many there are. */
  readonly offset: number
  readonly bytes: number
  /** How many records (log) or entries (dead letters) they held, as far as can be told. */
  readonly count: number
  /** The log positions those records had, when their neighbours tell (both inclusive). */
  readonly positions?: readonly [number, number]
}

/**
 * How damaged bytes leave their file once copied aside: `'blank'` overwrites them with spaces in
 * place (every other record keeps its byte offset; a blank line is skipped silently), `'cut'`
 * truncates the file there (a record torn by a crash at the end of the file being written).
 */
export type Removal = 'blank' | 'cut'

export const quarantineOf = (path: string): string => `${path}.quarantine`

const NEWLINE = 0x0a
const SPACE = 0x20

/**
 * Moves damaged bytes aside, never deleting them: each damage becomes one line of
 * `<file>.quarantine` (next to the file, fdatasync'ed) holding the bytes (base64) and where they
 * came from; only then are they removed from the file. Each damage is reported once, with
 * E_STORAGE_DAMAGED, except a torn tail (a write a crash cut short, never acknowledged), which is
 * kept but not reported. A read-only store reports what it finds and writes nothing.
 */
export class Quarantine {
  private readonly found = new Map<string, Promise<void>>()
  /** Positions lost per segment file, from quarantine files and from damage found since. */
  private readonly holes = new Map<string, Array<readonly [number, number]>>()
  private readonly loaded = new Set<string>()

  constructor(private readonly options: { readOnly: boolean; report(error: TidingsError): void }) {}

  keep(damage: Damage, removal: Removal = 'blank'): Promise<void> {
    const key = `${damage.path}:${damage.offset}`
    let done = this.found.get(key)
    if (done === undefined) this.found.set(key, (done = this.options.readOnly ? this.tell(damage, undefined) : this.move(damage, removal)))
    return done
  }

  /** How many positions of `[lo, hi]` of a segment were lost to damage (known so far). */
  async lost(path: string, lo: number, hi: number): Promise<number> {
    await this.load(path)
    let n = 0
    for (const [from, to] of this.holes.get(path) ?? []) n += Math.max(0, Math.min(to, hi) - Math.max(from, lo) + 1)
    return n
  }

  /** Retention deleted a segment: its quarantine goes with it. */
  async forget(path: string): Promise<void> {
    this.holes.delete(path)
    await unlink(quarantineOf(path)).catch((error: unknown) => {
      if (errnoOf(error) !== 'ENOENT') throw error
    })
  }

  private async load(path: string): Promise<void> {
    if (this.loaded.has(path)) return
    this.loaded.add(path)
    const text = await readFile(quarantineOf(path), 'utf8').catch(() => '')
    for (const line of text.split('\n')) {
      // A damaged line of the quarantine file itself only loses its count here: its bytes stay in the file.
      const entry = unsealLine(line) as { positions?: unknown } | undefined
      const positions = entry?.positions
      if (Array.isArray(positions) && positions.length === 2 && positions.every(Number.isSafeInteger)) this.addHole(path, positions as [number, number])
    }
  }

  private addHole(path: string, positions: readonly [number, number]): void {
    const list = this.holes.get(path) ?? []
    if (!list.some(([from, to]) => from === positions[0] && to === positions[1])) list.push(positions)
    this.holes.set(path, list)
  }

  private async move(damage: Damage, removal: Removal): Promise<void> {
    const target = quarantineOf(damage.path)
    let kept: string | undefined
    const file = await open(damage.path, 'r+')
    try {
      const data = Buffer.alloc(damage.bytes)
      await file.read(data, 0, damage.bytes, damage.offset)
      try {
        await this.append(target, damage, data)
        kept = target
      } catch (error) {
        // Without a copy the bytes stay where they are (found again next time), unless a crash tore them: those are cut anyway.
        this.options.report(new TidingsError('E_STORAGE_DAMAGED', `${describe(damage)}; they could not be copied to ${target} (${String((error as Error | null)?.message)}), so they were ${removal === 'cut' ? 'dropped: they were never acknowledged' : 'left in place'}; free some space and open the store again`, { cause: error, details: details(damage, undefined) }))
        if (removal === 'blank') return
      }
      if (removal === 'cut') await file.truncate(damage.offset)
      else await file.write(data.map((b) => (b === NEWLINE ? NEWLINE : SPACE)), 0, damage.bytes, damage.offset)
      await file.datasync()
    } finally {
      await file.close()
    }
    if (damage.positions) this.addHole(damage.path, damage.positions)
    if (kept && removal === 'blank') this.options.report(damaged(damage, kept))
  }

  private async append(target: string, damage: Damage, data: Buffer): Promise<void> {
    const { path, ...where } = damage
    const body = JSON.stringify({ file: basename(path), ...where, foundAt: new Date().toISOString(), data: data.toString('base64') })
    const out = await open(target, 'a')
    try {
      const created = (await out.stat()).size === 0
      await writeAll(out, Buffer.from(sealLine(body.slice(1, -1))))
      await out.datasync()
      if (created) await syncDirectory(dirname(target))
    } finally {
      await out.close()
    }
  }

  private async tell(damage: Damage, kept: string | undefined): Promise<void> {
    if (damage.positions) this.addHole(damage.path, damage.positions)
    this.options.report(damaged(damage, kept))
  }
}

const describe = (d: Damage) =>
  `${d.path} is damaged at byte ${d.offset} (${d.bytes} bytes, ${d.count} ${d.count === 1 ? 'record' : 'records'}${d.positions ? ` at positions ${d.positions[0]}–${d.positions[1]}` : ''})`

const details = (d: Damage, quarantine: string | undefined) => ({ path: d.path, quarantine, offset: d.offset, bytes: d.bytes, count: d.count, positions: d.positions })

const damaged = (d: Damage, quarantine: string | undefined) =>
  new TidingsError('E_STORAGE_DAMAGED', quarantine
    ? `${describe(d)}: the damaged bytes were moved to ${quarantine} and every other record is kept; restore the lost ones from a backup if you have one`
    : `${describe(d)}: they are skipped and every other record is read; open the store without readOnly to move them to ${quarantineOf(d.path)}`,
  { details: details(d, quarantine) })
