import type { DeadLetterEntry, DeadLetterFilter, DeadLetterRetryResult } from '@tidings/core'

/** An asynchronous list read from the bus: empty and `loading` until the first read settles. */
export interface ListState<T> {
  readonly loading: boolean
  /** What the last read rejected with, if it did; the list keeps its last good value. */
  readonly error: unknown
  readonly items: readonly T[]
}

export interface HistoryState<Env> {
  /** Newest first unless the query says `order: 'asc'`; read again after each matching event. */
  readonly events: readonly Env[]
  readonly loading: boolean
  readonly error: unknown
}

export interface DeadLettersState {
  /** Read again when an entry is added and after each action below. */
  readonly entries: readonly DeadLetterEntry[]
  readonly loading: boolean
  readonly error: unknown
  retry(target: string | DeadLetterFilter): Promise<DeadLetterRetryResult>
  discard(id: string): Promise<boolean>
  purge(): Promise<number>
  /** Reads the queue again (after a retry made elsewhere, e.g. from the devtools page). */
  refresh(): void
}
