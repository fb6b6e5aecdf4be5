import { packageVersion } from '../devtools/package-version'
import { catalogCommand } from './catalog-command'
import { devtoolsCommand } from './devtools-command'
import { dlqCommand } from './dlq-command'
import { CliError, ExitCode } from './exit-codes'
import type { Io } from './output'
import { tailCommand } from './tail-command'

const HELP = `Usage: tidings <command> [options]

Commands:
  devtools              start the devtools hub and print its URL
  tail <dir>            print a file store's events (--follow to keep printing)
  tail --hub <url>      follow the live traffic of the buses connected to a devtools hub
  dlq <action> <dir>    list, retry, discard or purge a file store's dead letters
  catalog <action>      snapshot a catalog's schemas, or check it against the snapshot (CI)

Run \`tidings <command> --help\` for a command's options.

Exit codes: 0 ok, 1 the operation failed, 2 bad command line, 3 a process it needs is not
running (the hub, or the one owning the store), 4 the store cannot be read, 5 the devtools
hub refused the token.
Output is colored on a terminal only; NO_COLOR=1 turns colors off, FORCE_COLOR=1 on.`

const commands: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  devtools: devtoolsCommand,
  tail: tailCommand,
  dlq: dlqCommand,
  catalog: catalogCommand,
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP)
    return ExitCode.OK
  }
  if (name === '--version' || name === '-v') {
    io.out(packageVersion())
    return ExitCode.OK
  }
  const command = name === undefined ? undefined : commands[name]
  if (command === undefined) {
    io.err(name === undefined ? HELP : `Unknown command "${name}". ${HELP}`)
    return ExitCode.USAGE
  }
  try {
    return await command(rest, io)
  } catch (error) {
    if (error instanceof CliError) {
      io.err(io.errColor.red(error.message))
      return error.exitCode
    }
    io.err(io.errColor.red(error instanceof Error ? error.stack ?? error.message : String(error)))
    return ExitCode.FAILED
  }
}
