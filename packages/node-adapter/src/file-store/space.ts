import type { FileHandle } from 'node:fs/promises'
import { TidingsError } from '@tidings/core'
import type { SpaceRetry } from '@tidings/core'
import { errnoOf, storageError, writeAll } from './io'

/** Errors that mean "no space": the write is retried until space is freed. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT'])

/** Where an append goes: the file, its path, and the length of its complete lines. */
export interface AppendTarget {
  readonly file: FileHandle
  readonly path: string
  readonly offset: number
}

export interface AppendOptions {
  /** The store's directory, named in the full-disk report. */
  readonly dir: string
  /** What is being written, for messages: "3 events", "dead letter dl-1". */
  readonly what: string
  readonly details: Record<string, unknown>
  /** The error to throw (and keep) when a failed write cannot be cut back: the file is then not to be trusted. */
  cutFailed(error: unknown): TidingsError
}

/**
 * Appends `buf` to a store file, for the log and the dead-letter file alike. A failed write is cut
 * back to the last complete line (a torn line would hide the lines after it). A full disk is
 * reported as E_STORAGE_QUOTA and the write tried again, with backoff, until space is freed or the
 * store closes: the data waits in memory meanwhile and the caller's promise stays pending. Any
 * other failure is thrown as E_STORAGE.
 */
export function appendWaitingForSpace(retry: SpaceRetry, target: AppendTarget, buf: Uint8Array, options: AppendOptions): Promise<void> {
  const attempt = async () => {
    try {
      await writeAll(target.file, buf)
    } catch (error) {
      try {
        await target.file.truncate(target.offset)
      } catch (truncateError) {
        throw options.cutFailed(truncateError)
      }
      throw error
    }
  }
  return retry.run(attempt, (error, wait) => {
    if (error instanceof TidingsError) return undefined
    if (!NO_SPACE.has(errnoOf(error) ?? '')) throw storageError(`Could not write ${options.what} to ${target.path}`, error, options.details)
    return new TidingsError('E_STORAGE_QUOTA', `The disk holding ${options.dir} is full: ${options.what} kept in memory, to be written once space is freed (next try in ${wait} ms); free some space or set a retention limit`, { cause: error, details: { ...options.details, retryInMs: wait } })
  })
}
