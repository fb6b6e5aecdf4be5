import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const repo = fileURLToPath(new URL('../../..', import.meta.url))

/** Bundles file-store-crash.child.ts into `work`: the child runs the store's TypeScript sources, so no build of the packages is needed. */
export async function buildChild(work: string): Promise<string> {
  const script = join(work, 'child.mjs')
  await build({
    entryPoints: [fileURLToPath(new URL('./file-store-crash.child.ts', import.meta.url))],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: script, logLevel: 'error',
    absWorkingDir: repo, tsconfig: join(repo, 'tsconfig.json'),
  })
  return script
}

/** A child process writing to `dir`, with what it printed so far. */
export function startChild(script: string, dir: string, round: number, mode: 'write' | 'hold' | 'bus' | 'dlq') {
  const child = spawn(process.execPath, [script, dir, String(round), mode]) as ChildProcessWithoutNullStreams
  const lines: string[] = []
  let partial = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n')
      partial = parts.pop()!
      for (const line of parts) {
        lines.push(line)
        if (line === 'ready') resolve()
      }
    })
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before it was ready: ${stderr}`)))
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  return { child, lines, ready, exited }
}
