import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { checkToken, createToken } from '../devtools/auth'
import { usageError } from './exit-codes'

/**
 * The hub's token kept in a file, so that a restarted hub accepts the services that were
 * connected to it: read when the file exists, else drawn and written readable by its owner only
 * (0600; the token lets anyone connect as a producer). Returns the token and whether it was created.
 */
export function tokenFromFile(path: string): { token: string; created: boolean; warning?: string } {
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
  const token = text.trim()
  try {
    checkToken(token)
  } catch (error) {
    throw usageError(`The token file ${path} holds no usable token: ${(error as Error).message}`)
  }
  // Permission bits mean nothing on Windows.
  const exposed = process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0
  return { token, created: false, ...(exposed && { warning: `Warning: the token file ${path} can be read by other users: chmod 600 ${path}` }) }
}
