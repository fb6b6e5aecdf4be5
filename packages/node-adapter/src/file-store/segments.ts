import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * One NDJSON file of the log. Files are named by the position of their first record
 * (`00000000000000000001.ndjson`), so the directory listing alone orders them and says where a
 * position lives; positions inside a file are consecutive.
 */
export interface Segment {
  readonly first: number
  readonly path: string
  /** Bytes of complete records. */
  size: number
  /** Position of the last record; `first - 1` while empty. */
  last: number
  /** When the file was last written (ms): what retention by age goes by. */
  mtimeMs: number
}

const NAME_RE = /^(\d{20})\.ndjson$/

export const segmentName = (first: number): string => `${String(first).padStart(20, '0')}.ndjson`

/** The segment files of `dir`, oldest first, with their sizes (their `last` is not known yet). */
export async function listSegments(dir: string): Promise<Segment[]> {
  const out: Segment[] = []
  for (const name of await readdir(dir)) {
    const match = NAME_RE.exec(name)
    if (!match) continue
    const path = join(dir, name)
    const info = await stat(path).catch(() => undefined)
    if (info === undefined) continue
    const first = Number(match[1])
    out.push({ first, path, size: info.size, last: first - 1, mtimeMs: info.mtimeMs })
  }
  return out.sort((a, b) => a.first - b.first)
}

/** How many records a segment holds. */
export const recordsIn = (s: Segment): number => s.last - s.first + 1
