import { readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readSnapshot } from '@tidings/core'
import type { CatalogSnapshot } from '@tidings/core'
import { usageError } from './exit-codes'

const GOLDEN = /\.(ndjson|jsonl|json)$/

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT'

/** The committed snapshot, or undefined when there is none yet. */
export async function readSnapshotFile(path: string): Promise<CatalogSnapshot | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (missing(error)) return undefined
    throw usageError(`Cannot read the snapshot ${path}: ${(error as Error).message}`)
  }
  try {
    return readSnapshot(JSON.parse(text))
  } catch (error) {
    throw usageError(`${path}: ${(error as Error).message}`)
  }
}

/** Two-space JSON with a final newline, as editors and formatters leave a committed file. */
export const writeSnapshotFile = (path: string, snapshot: CatalogSnapshot): Promise<void> =>
  writeFile(path, `${JSON.stringify(snapshot, null, 2)}\n`)

/** Golden events from files (NDJSON, or JSON holding one event or an array) and directories of them. */
export async function readGolden(paths: readonly string[]): Promise<Array<object | string>> {
  const events: Array<object | string> = []
  const readOne = async (file: string) => {
    const text = await readFile(file, 'utf8')
    if (file.endsWith('.json')) {
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch (error) {
        throw usageError(`${file} is not JSON: ${(error as Error).message}`)
      }
      events.push(...(Array.isArray(parsed) ? parsed : [parsed]))
    } else {
      for (const line of text.split('\n')) if (line.trim() !== '') events.push(line)
    }
  }
  for (const path of paths) {
    let info
    try {
      info = await stat(path)
    } catch {
      throw usageError(`--golden ${path}: no such file or directory`)
    }
    if (!info.isDirectory()) await readOne(path)
    else for (const name of (await readdir(path)).filter((n) => GOLDEN.test(n)).sort()) await readOne(join(path, name))
  }
  return events
}
