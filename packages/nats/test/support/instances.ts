import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { NatsTransportOptions } from '@tidings/nats'

const repo = fileURLToPath(new URL('../../../..', import.meta.url))
const LINE_TIMEOUT_MS = 10_000

/** A service instance in a child process (see instance.child.ts), driven through its stdin and stdout. */
export interface Instance {
  readonly child: ChildProcessWithoutNullStreams
  /** Every line it printed so far. */
  readonly lines: string[]
  /** Resolves with the first line (already printed or to come) that matches. */
  line(match: (line: string) => boolean): Promise<string>
  release(): void
  /** SIGKILL: no chance to ack, close or flush. */
  kill(): Promise<void>
}

/**
 * Bundles the child's TypeScript (and the packages' sources) once, so that no build is needed;
 * `spawn` then starts instances of it.
 */
export const instances = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tidings-nats-child-'))
  const script = join(dir, 'instance.mjs')
  await build({
    entryPoints: [fileURLToPath(new URL('./instance.child.ts', import.meta.url))],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: script, logLevel: 'error',
    absWorkingDir: repo, tsconfig: join(repo, 'tsconfig.json'),
    // The NATS client is CommonJS and requires Node's built-ins.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  })
  const running = new Set<ChildProcessWithoutNullStreams>()
  return {
    spawn(options: NatsTransportOptions & { mode: 'hold' | 'release'; attempts?: number }): Instance {
      const child = spawn(process.execPath, [script, JSON.stringify(options)]) as ChildProcessWithoutNullStreams
      running.add(child)
      const lines: string[] = []
      const watchers = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>()
      let partial = ''
      let stderr = ''
      let exited = false
      const exit = new Promise<void>((resolve) => child.on('exit', () => {
        exited = true
        running.delete(child)
        resolve()
      }))
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.stdout.on('data', (chunk: Buffer) => {
        const parts = (partial + chunk.toString()).split('\n')
        partial = parts.pop()!
        for (const line of parts) {
          lines.push(line)
          for (const w of watchers) if (w.match(line)) {
            watchers.delete(w)
            w.resolve(line)
          }
        }
      })
      return {
        child,
        lines,
        line(match) {
          const seen = lines.find(match)
          if (seen !== undefined) return Promise.resolve(seen)
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`No matching line from the child within ${LINE_TIMEOUT_MS} ms; it printed:\n${lines.join('\n')}\n${stderr}`)), LINE_TIMEOUT_MS)
            void exit.then(() => reject(new Error(`The child exited; it printed:\n${lines.join('\n')}\n${stderr}`)))
            watchers.add({ match, resolve: (line) => {
              clearTimeout(timer)
              resolve(line)
            } })
          })
        },
        release: () => void child.stdin.write('release\n'),
        async kill() {
          if (!exited) child.kill('SIGKILL')
          await exit
        },
      }
    },
    async dispose() {
      for (const child of running) child.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
    },
  }
}
