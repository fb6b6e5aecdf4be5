import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { CSV_HEADER } from './customer'

export interface CsvLine {
  /** 1-based, the header being line 1: what an error message should point at. */
  line: number
  text: string
}

/** Data rows in the file: counted first, so the progress bar has a total and an ETA. */
export async function countRows(path: string): Promise<number> {
  let newlines = 0
  let last = 10
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++
    last = chunk[chunk.length - 1] ?? last
  }
  // The header is not a row; a last line without its newline is one.
  return Math.max(0, newlines - 1 + (last === 10 ? 0 : 1))
}

/** The file's data lines in batches of `size`, streamed: memory stays flat whatever the file's size. */
export async function* readBatches(path: string, size: number): AsyncGenerator<CsvLine[]> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity })
  let batch: CsvLine[] = []
  let line = 0
  for await (const text of lines) {
    line++
    if (line === 1) {
      if (text !== CSV_HEADER) throw new Error(`${path} does not start with the header "${CSV_HEADER}"`)
      continue
    }
    if (text === '') continue
    batch.push({ line, text })
    if (batch.length === size) {
      yield batch
      batch = []
    }
  }
  if (batch.length) yield batch
}
