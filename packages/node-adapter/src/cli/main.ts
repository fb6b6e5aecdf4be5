import { ExitCode } from './exit-codes'
import { processIo } from './output'
import { run } from './run'

// A closed pipe (`tidings tail dir | head`) ends the output, not in a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.OK)
  throw error
})

run(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code
})
