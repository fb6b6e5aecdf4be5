import type { IDBPDatabase } from 'idb'
import type { Chunk, TidingsDB } from './schema'

/** One event, encoded, waiting to be written. */
export interface PendingEvent {
  readonly type: string
  readonly ms: number
  readonly line: string
}

/** Events per chunk at most: a read holds whole chunks in memory, so they stay small. */
const MAX_CHUNK = 1000

/**
 * Writes events in one readwrite transaction, as chunks that continue the log.
 *
 * Transaction rules: positions are read (the last key) and given inside the same readwrite
 * transaction that writes them. Readwrite transactions on the `chunks` store never overlap, in this
 * tab or any other, so two tabs can never give out the same position; and a transaction that fails
 * writes nothing, so no position is ever skipped or reused. Nothing but this transaction's own
 * requests is awaited while it is open.
 */
export async function writeChunks(db: IDBPDatabase<TidingsDB>, events: readonly PendingEvent[], durability: IDBTransactionDurability): Promise<void> {
  const tx = db.transaction('chunks', 'readwrite', { durability })
  const last = await tx.store.openKeyCursor(null, 'prev')
  let next = last ? last.key + 1 : 1
  for (let i = 0; i < events.length; i += MAX_CHUNK) {
    tx.store.add(toChunk(events.slice(i, i + MAX_CHUNK), next)).catch(() => {})
    next += Math.min(MAX_CHUNK, events.length - i)
  }
  await tx.done
}

const toChunk = (events: readonly PendingEvent[], from: number): Chunk => {
  const t: string[] = []
  const ms: number[] = []
  const lines: string[] = []
  const types = new Set<string>()
  let first = Infinity
  let last = -Infinity
  for (const event of events) {
    t.push(event.type)
    ms.push(event.ms)
    lines.push(event.line)
    types.add(event.type)
    if (event.ms < first) first = event.ms
    if (event.ms > last) last = event.ms
  }
  const chunk: Chunk = { from, to: from + events.length - 1, t, ms, e: lines.join('\n'), types: [...types] }
  if (last !== -Infinity) {
    chunk.first = first
    chunk.last = last
  }
  return chunk
}
