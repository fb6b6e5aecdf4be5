import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { checkToken, createToken } from '../devtools/auth'
import { usageError } from './exit-codes'

export interface TokenFile {
  token: string
  /** Set when others than its owner can read the file. */
  warning?: string
}

const parseTokenFile = (path: string, text: string): TokenFile => {
  const token = text.trim()
  try {
    checkToken(token)
  } catch (error) {
    throw usageError(`The token file ${path} holds no usable token: ${(error as Error).message}`)
  }
  // Permission bits mean nothing on Windows.
  const exposed = process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0
  return { token, ...(exposed && { warning: `Warning: the token file ${path} can be read by other users: chmod 600 ${path}` }) }
}

/** The token a hub keeps in `path`, for a client of that hub (`tidings tail --hub`, `tidings dlq --hub`). */
export function readTokenFile(path: string): TokenFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw usageError(missing
      ? `The token file ${path} does not exist: give the --token-file the hub was started with (tidings devtools --token-file ${path} writes it)`
      : `Cannot read the token file ${path}: ${(error as Error).message}`)
  }
  return parseTokenFile(path, text)
}

/**
 * The hub's token kept in a file, so that a restarted hub accepts the services that were
 * connected to it: read when the file exists, else drawn and written readable by its owner only
 * (0600; the token lets anyone connect as a producer). Returns the token and whether it was created.
 */
export function tokenFromFile(path: string): TokenFile & { created: boolean } {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw usageError(`Cannot read the token file ${path}: ${(error as Error).message}`)
    const token = createToken()
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      // 'wx': never overwrite a file another hub wrote meanwhile.
      writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' })
    } catch (writeError) {
      throw usageError(`Cannot write the token file ${path}: ${(writeError as Error).message}`)
    }
    return { token, created: true }
  }
  return { ...parseTokenFile(path, text), created: false }
}
