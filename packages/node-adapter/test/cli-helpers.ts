import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const src = (path: string) => `${root}packages/${path}`

let built: Promise<string> | undefined

/**
 * The CLI bundled from the sources (no `npm run build` needed), next to the repository's
 * node_modules so that its dependencies resolve as they do for the built package.
 */
export function cliPath(): Promise<string> {
  built ??= (async () => {
    const dir = `${root}node_modules/.cache/tidings-cli-test`
    mkdirSync(dir, { recursive: true })
    const outfile = `${dir}/cli-${process.pid}.mjs`
    await build({
      entryPoints: [src('node-adapter/src/cli/main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      alias: { '@tidings/core': src('core/src/index.ts'), '@tidings/node': src('node-adapter/src/index.ts') },
      logLevel: 'error',
    })
    return outfile
  })()
  return built
}

/** The environment of a script: the test runner's color switches removed. */
const pipedEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env = { ...process.env }
  delete env.FORCE_COLOR
  delete env.NO_COLOR
  return { ...env, ...extra }
}

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `tidings …` with piped output (as a script would) and resolves when it exits. */
export async function cli(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [await cliPath(), ...args], {
    env: pipedEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** Starts a long-running `tidings …` (devtools, tail --follow); the caller stops it. */
export async function cliProcess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [await cliPath(), ...args], {
    env: pipedEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  return { child, exited, stdout: () => stdout, stderr: () => stderr }
}
