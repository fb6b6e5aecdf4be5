import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000

/**
 * @typedef {object} Managed
 * @property {string} name
 * @property {import('node:child_process').ChildProcess} child
 * @property {Promise<void>} exited resolves when the process has exited (or could not be spawned)
 */

/**
 * Starts a command in its own process group, so that stopping it also stops whatever it started
 * (Chromium under the traffic generator), and so that a Ctrl-C in the terminal reaches only this
 * script, which then stops the children in order. Returns the process, and a promise of the
 * match of `ready` in its stdout; output before that line is kept back (start.mjs prints its own
 * summary) and shown only if the process fails to start.
 *
 * @param {string} name
 * @param {string[]} command executable and arguments
 * @param {{ cwd?: string, env?: Record<string, string>, ready: RegExp, onExit: (managed: Managed, code: number | null, signal: string | null) => void }} options
 * @returns {{ managed: Managed, ready: Promise<RegExpExecArray> }}
 */
export function launch(name, [file, ...args], { cwd, env, ready, onExit }) {
  const child = spawn(file, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  /** @type {Managed} */
  const managed = {
    name,
    child,
    exited: new Promise((resolve) => {
      child.once('exit', () => resolve())
      child.once('error', () => resolve())
    }),
  }
  const early = []
  let started = false
  const readyLine = new Promise((resolve, reject) => {
    const fail = (reason) => {
      clearTimeout(timer)
      reject(new Error(`${name} did not start: ${reason}${early.length ? `\n${early.join('\n')}` : ''}`))
    }
    const timer = setTimeout(() => {
      fail(`no "${ready.source}" line within ${READY_TIMEOUT_MS / 1000} s`)
      stopProcess(managed)
    }, READY_TIMEOUT_MS)
    const onLine = (line, stream) => {
      if (started) {
        // Afterwards: errors, and the log lines the examples tag "[name] …"; the rest is start-up chatter.
        const tagged = line.startsWith('[')
        if (stream === process.stderr || tagged) stream.write(tagged ? `${line}\n` : `[${name}] ${line}\n`)
        return
      }
      early.push(line)
      const match = ready.exec(line)
      if (match === null || stream !== process.stdout) return
      started = true
      clearTimeout(timer)
      resolve(match)
    }
    createInterface({ input: child.stdout }).on('line', (line) => onLine(line, process.stdout))
    createInterface({ input: child.stderr }).on('line', (line) => onLine(line, process.stderr))
    child.once('error', (error) => fail(error.message))
    child.once('exit', (code, signal) => {
      if (!started) fail(`exited with ${signal ?? `code ${code}`}`)
      else onExit(managed, code, signal)
    })
  })
  return { managed, ready: readyLine }
}

const signalGroup = (managed, signal) => {
  try {
    process.kill(-managed.child.pid, signal)
  } catch {
    // The group is already gone.
  }
}

/** SIGTERM to the process group, then SIGKILL if it has not exited within the timeout. */
export async function stopProcess(managed) {
  if (managed.child.exitCode !== null || managed.child.signalCode !== null) return
  signalGroup(managed, 'SIGTERM')
  let timer
  const killed = new Promise((resolve) => {
    timer = setTimeout(() => {
      console.error(`[start] ${managed.name} did not stop within ${STOP_TIMEOUT_MS / 1000} s: killing it`)
      signalGroup(managed, 'SIGKILL')
      resolve()
    }, STOP_TIMEOUT_MS)
  })
  await Promise.race([managed.exited, killed])
  clearTimeout(timer)
  await managed.exited
}

/** Kills every group at once: for a second Ctrl-C, or when this script itself is going away. */
export function killAll(processes) {
  for (const managed of processes) signalGroup(managed, 'SIGKILL')
}
