import type { DeadLetterEntry, DeadLetterFilter, DeadLetterRetryResult } from '@tidings/core'
import type { Ref, ShallowRef } from 'vue'

/** A list read from the bus: empty and `loading` until the first read settles, then read again on each change. */
export interface ListRefs<T> {
  readonly items: Readonly<ShallowRef<readonly T[]>>
  readonly loading: Readonly<Ref<boolean>>
  /** What the last read rejected with, if it did; the list keeps its last good value. */
  readonly error: Readonly<ShallowRef<unknown>>
  /** Reads again now. */
  refresh(): Promise<void>
}

export interface HistoryRefs<Env> extends Omit<ListRefs<Env>, 'items'> {
  /** Newest first unless the query says `order: 'asc'`; read again after each matching event and when the query changes. */
  readonly events: Readonly<ShallowRef<readonly Env[]>>
}

export interface DeadLettersRefs extends Omit<ListRefs<DeadLetterEntry>, 'items'> {
  /** Read again when an entry is added and after each action below. */
  readonly entries: Readonly<ShallowRef<readonly DeadLetterEntry[]>>
  retry(target: string | DeadLetterFilter): Promise<DeadLetterRetryResult>
  discard(id: string): Promise<boolean>
  purge(): Promise<number>
}
