import { constants } from 'node:os'
import { TidingsError } from '@tidings/core'

/** Something holding work to make durable before exit: a bus, a store, a devtools connection… */
export interface ShutdownTarget {
  flush?(): unknown
  close?(): unknown
}

export interface ShutdownOptions {
  /** The signals that start the shutdown (default SIGINT and SIGTERM). A second one exits at once. */
  signals?: readonly NodeJS.Signals[]
  /** Exits with code 1 when flushing and closing take longer than this (default 10,000 ms). */
  timeoutMs?: number
  /** How to exit (default `process.exit`). */
  exit?: (code: number) => void
  /** Told of each target that failed and of a timeout (default `console.error`). */
  onError?: (error: TidingsError) => void
}

const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * Flushes then closes each target, in the order given; a failing target does not stop the
 * others, since each holds its own unsaved work. Resolves to whether all succeeded.
 */
const drain = async (targets: ReadonlyArray<ShutdownTarget | (() => unknown)>, onError: (error: TidingsError) => void) => {
  let ok = true
  for (const [index, target] of targets.entries()) {
    try {
      if (typeof target === 'function') await target()
      else {
        await target.flush?.()
        await target.close?.()
      }
    } catch (error) {
      ok = false
      onError(new TidingsError('E_STORAGE', `Shutdown: target ${index} failed to flush or close: ${describe(error)}`, { cause: error, details: { index } }))
    }
  }
  return ok
}

/**
 * On the first of `signals`, flushes and closes `targets`, then exits with 0 (1 if a target
 * failed or `timeoutMs` passed). A second signal exits at once with 128 + the signal number,
 * as a shell reports a process killed by it. Returns the function that removes the handlers.
 */
export function onShutdown(targets: ReadonlyArray<ShutdownTarget | (() => unknown)>, options: ShutdownOptions = {}): () => void {
  if (!Array.isArray(targets)) throw invalid('onShutdown(targets): targets must be an array of { flush?(), close?() } objects or functions, e.g. [bus]')
  for (const [index, target] of targets.entries()) {
    const usable = typeof target === 'function'
      || (target !== null && typeof target === 'object' && (typeof target.flush === 'function' || typeof target.close === 'function'))
    if (!usable) throw invalid(`onShutdown(targets): target ${index} has neither flush() nor close(); pass a bus, a store, or a function`)
  }
  const signals = options.signals ?? ['SIGINT', 'SIGTERM']
  const timeoutMs = options.timeoutMs ?? 10_000
  if (!(timeoutMs > 0)) throw invalid(`onShutdown: timeoutMs must be a positive number of milliseconds, got ${String(options.timeoutMs)}`)
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const onError = options.onError ?? ((error: TidingsError) => console.error(error))

  let started = false
  let exited = false
  const finish = (code: number) => {
    if (exited) return
    exited = true
    exit(code)
  }
  const handle = (signal: NodeJS.Signals) => {
    if (started) return finish(128 + (constants.signals[signal] ?? 0))
    started = true
    const timer = setTimeout(() => {
      onError(new TidingsError('E_TIMEOUT', `Shutdown: flushing and closing took longer than ${timeoutMs} ms; exiting without waiting (raise timeoutMs if this is expected)`, { details: { timeoutMs } }))
      finish(1)
    }, timeoutMs)
    void drain(targets, onError).then((ok) => {
      clearTimeout(timer)
      finish(ok ? 0 : 1)
    })
  }
  for (const signal of signals) process.on(signal, handle)
  return () => {
    for (const signal of signals) process.removeListener(signal, handle)
  }
}
