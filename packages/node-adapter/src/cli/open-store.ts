import { isTidingsError } from '@tidings/core'
import type { Store } from '@tidings/core'
import { fileStore } from '../file-store'
import { CliError, ExitCode } from './exit-codes'

/**
 * Opens a file store for the CLI; a missing, unreadable or locked store is exit code 4. What the
 * store reports while the command runs (damage it skipped) goes to `warn` as one line, not a stack.
 */
export async function openStore(dir: string, readOnly: boolean, warn: (line: string) => void): Promise<Store> {
  const store = fileStore({ dir, readOnly, durability: 'fsync' })
  store.onError?.((error) => warn(`warning: ${error.message} (${error.code})`))
  try {
    await store.ready
    return store
  } catch (error) {
    throw storeError(error)
  }
}

export const storeError = (error: unknown): CliError => {
  if (isTidingsError(error, 'E_STORAGE_LOCKED')) {
    return new CliError(ExitCode.UNAVAILABLE, `${error.message}. Or go through that process: connect it to a devtools hub with connectDevtools(bus, { url, storeDir }) and pass --hub <url>`)
  }
  return new CliError(ExitCode.STORE, (error as Error).message)
}
