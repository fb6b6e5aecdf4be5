import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { TidingsError } from '@tidings/core'

export const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code

/** Writes all of `buf`: a write to a regular file may still be short (a full disk, a signal). */
export async function writeAll(file: FileHandle, buf: Uint8Array): Promise<void> {
  for (let done = 0; done < buf.length;) {
    const { bytesWritten } = await file.write(buf, done, buf.length - done)
    done += bytesWritten
  }
}

/** Makes the creation, rename or removal of files in `dir` durable (their directory entries). */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export const storageError = (message: string, cause: unknown, details: Record<string, unknown>): TidingsError =>
  new TidingsError('E_STORAGE', `${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, details })
