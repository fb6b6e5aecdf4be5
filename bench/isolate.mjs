// One child process per configuration. With every bus setup in one process, they share the
// kernel's functions, and V8's call sites there (handler calls, fold steps, the sink) see many
// shapes and go megamorphic: each figure would then measure the mix, not the configuration. A
// child runs one configuration and its peer (mitt, emittery) side by side, so peers are still
// measured in the same process as what they are compared with.
import { execFileSync } from 'node:child_process'

/** Runs `file` with `--child <job as JSON>` and returns the JSON its last stdout line holds. */
export const inChild = (file, job) => {
  const out = execFileSync(process.execPath, [file, '--child', JSON.stringify(job)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  return JSON.parse(out.trim().split('\n').at(-1))
}

/** The job given to this process by `inChild`, or undefined in the parent. */
export const childJob = () => {
  const i = process.argv.indexOf('--child')
  return i < 0 ? undefined : JSON.parse(process.argv[i + 1])
}
