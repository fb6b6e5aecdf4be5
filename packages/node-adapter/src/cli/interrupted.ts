/** Ctrl+C (SIGINT) or SIGTERM, caught so that a command can stop cleanly. */
export interface Interrupt {
  /** Resolves on the first of them. */
  readonly signal: Promise<void>
  readonly received: boolean
  /** Stops catching them (the default, ending the process, applies again). */
  dispose(): void
}

/**
 * Catches Ctrl+C from now on. Call it before printing "Ctrl+C stops": a signal that comes before
 * anything listens ends the process at once, without the command's cleanup or exit code, and a
 * script (or a loaded machine) can be that quick.
 */
export function interrupted(): Interrupt {
  let stop = () => {}
  let received = false
  const signal = new Promise<void>((resolve) => {
    stop = () => {
      received = true
      resolve()
    }
  })
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return {
    signal,
    get received() {
      return received
    },
    dispose() {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    },
  }
}
