import { readFile, mkdir, open, rmdir, stat, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { TidingsError } from '@tidings/core'
import { errnoOf } from './io'

/** Who holds a store directory: enough to tell, on this host, whether that process still runs. */
interface Holder {
  pid: number
  host: string
  /** The process's start time from /proc (Linux): tells a reused pid from the holder itself. */
  start: string | null
}

const LOCK = 'LOCK'
const TAKEOVER = 'LOCK.takeover'
/** A lock file still empty after this long was left by a process that died while creating it. */
const CREATING_MS = 2_000
/** A takeover directory older than this was left by a process that died while taking over. */
const TAKEOVER_STALE_MS = 10_000

/** Directories locked by this process, so that a second store on one directory fails at once. */
const held = new Set<string>()

const startOf = async (pid: number): Promise<string | null> => {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Field 22 (starttime); counted after the command name, which may itself contain spaces and ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

const isAlive = async (holder: Holder): Promise<boolean> => {
  if (holder.pid === process.pid) return false
  try {
    process.kill(holder.pid, 0)
  } catch (error) {
    if (errnoOf(error) === 'ESRCH') return false
  }
  if (holder.start === null) return true
  const start = await startOf(holder.pid)
  return start === null || start === holder.start
}

const readHolder = async (path: string): Promise<{ text: string; holder: Holder | undefined } | undefined> => {
  try {
    const text = await readFile(path, 'utf8')
    try {
      const holder = JSON.parse(text) as Holder
      return { text, holder: Number.isInteger(holder.pid) && typeof holder.host === 'string' ? holder : undefined }
    } catch {
      return { text, holder: undefined }
    }
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined
    throw error
  }
}

const locked = (dir: string, message: string, details: Record<string, unknown> = {}) =>
  new TidingsError('E_STORAGE_LOCKED', message, { details: { dir, ...details } })

/**
 * Removes a stale lock file. Two processes may find the same stale lock at once: the takeover
 * directory (mkdir is atomic) lets one of them in, and it deletes the lock only if it still holds
 * the content both saw, so a fresh lock taken meanwhile is never removed.
 */
const takeOver = async (dir: string, seen: string): Promise<void> => {
  const mutex = join(dir, TAKEOVER)
  try {
    await mkdir(mutex)
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw error
    const age = Date.now() - (await stat(mutex).then((s) => s.mtimeMs, () => Date.now()))
    if (age > TAKEOVER_STALE_MS) await rmdir(mutex).catch(() => {})
    return
  }
  try {
    const now = await readHolder(join(dir, LOCK))
    // Gone meanwhile (its holder closed): nothing left to take over.
    if (now?.text === seen) await unlink(join(dir, LOCK)).catch((error: unknown) => {
      if (errnoOf(error) !== 'ENOENT') throw error
    })
  } finally {
    await rmdir(mutex)
  }
}

/**
 * Takes the lock on a store directory, so that only one process writes it. A lock left by a
 * process that no longer runs on this host is taken over; a lock from another host is respected,
 * since its process cannot be checked from here.
 */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  if (held.has(dir)) throw locked(dir, `The file store at ${dir} is already open in this process: share that store instead of opening a second one`)
  const path = join(dir, LOCK)
  const me: Holder = { pid: process.pid, host: hostname(), start: await startOf(process.pid) }
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const file = await open(path, 'wx')
      try {
        await file.writeFile(JSON.stringify(me))
      } finally {
        await file.close()
      }
      held.add(dir)
      return async () => {
        // The lock file goes first: until it is gone, a second open in this process is told the store is still open here.
        await unlink(path).catch(() => {})
        held.delete(dir)
      }
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error
    }
    const found = await readHolder(path)
    if (found === undefined) continue
    const { text, holder } = found
    if (holder === undefined) {
      const age = Date.now() - (await stat(path).then((s) => s.mtimeMs, () => Date.now()))
      if (age > CREATING_MS) await takeOver(dir, text)
      else await new Promise((resolve) => setTimeout(resolve, 50))
      continue
    }
    if (holder.host !== me.host) {
      throw locked(dir, `The file store at ${dir} is locked by process ${holder.pid} on host ${holder.host}: stop that process, or delete ${path} if it no longer runs`, { pid: holder.pid, host: holder.host })
    }
    if (await isAlive(holder)) {
      throw locked(dir, `The file store at ${dir} is in use by process ${holder.pid}: stop it first, or open the store with readOnly: true to read it`, { pid: holder.pid })
    }
    await takeOver(dir, text)
  }
  throw locked(dir, `Could not take the lock on ${dir}: other processes keep taking it; try again`)
}
