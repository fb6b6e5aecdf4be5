/** Exit codes scripts can rely on; `tidings --help` lists them. */
export const ExitCode = {
  OK: 0,
  /** The operation ran and failed (e.g. some dead letters failed again on retry). */
  FAILED: 1,
  /** Bad command line: unknown command or option, missing argument. */
  USAGE: 2,
  /** What the command needs is not running: the process owning the store, or the hub. */
  UNAVAILABLE: 3,
  /** The store cannot be read: no such directory, not a Tidings store, or locked by another process. */
  STORE: 4,
  /** The devtools hub refused the token: a wrong one, or the hub restarted without --token-file. */
  REFUSED: 5,
} as const

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** An error the CLI reports as one line and turns into an exit code. */
export class CliError extends Error {
  constructor(readonly exitCode: ExitCode, message: string) {
    super(message)
  }
}

export const usageError = (message: string): CliError => new CliError(ExitCode.USAGE, message)
