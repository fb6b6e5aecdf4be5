import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { TidingsError } from '@tidings/core'
import { onShutdown } from '@tidings/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'

const SIGNAL = 'SIGUSR2'
const SIGUSR2_EXIT = 128 + 12

describe('onShutdown() in this process', () => {
  let dispose: (() => void) | undefined
  afterEach(() => dispose?.())

  const setup = (targets: Parameters<typeof onShutdown>[0], timeoutMs = 1000) => {
    const exited = new Promise<number>((resolve) => {
      dispose = onShutdown(targets, { signals: [SIGNAL], timeoutMs, exit: resolve, onError: (e) => errors.push(e) })
    })
    const errors: TidingsError[] = []
    return { exited, errors }
  }

  it('flushes then closes each target in order, then exits 0', async () => {
    const steps: string[] = []
    const target = (name: string) => ({
      flush: async () => void steps.push(`${name}.flush`),
      close: async () => void steps.push(`${name}.close`),
    })
    const { exited, errors } = setup([target('server'), () => void steps.push('fn'), target('bus')])
    process.emit(SIGNAL, SIGNAL)
    expect(await exited).toBe(0)
    expect(steps).toEqual(['server.flush', 'server.close', 'fn', 'bus.flush', 'bus.close'])
    expect(errors).toEqual([])
  })

  it('goes on after a failing target, reports it, and exits 1', async () => {
    const closed: string[] = []
    const { exited, errors } = setup([
      { flush: () => Promise.reject(new Error('disk full')), close: () => void closed.push('first') },
      { close: () => void closed.push('second') },
    ])
    process.emit(SIGNAL, SIGNAL)
    expect(await exited).toBe(1)
    expect(closed).toEqual(['second'])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(TidingsError)
    expect(errors[0]!.message).toContain('disk full')
  })

  it('exits 1 with E_TIMEOUT when a target takes longer than timeoutMs', async () => {
    const { exited, errors } = setup([{ flush: () => new Promise(() => {}) }], 50)
    process.emit(SIGNAL, SIGNAL)
    expect(await exited).toBe(1)
    expect(errors.map((e) => e.code)).toEqual(['E_TIMEOUT'])
  })

  it('exits at once with 128 + the signal number on a second signal', async () => {
    const { exited } = setup([{ flush: () => new Promise(() => {}) }], 60_000)
    process.emit(SIGNAL, SIGNAL)
    process.emit(SIGNAL, SIGNAL)
    expect(await exited).toBe(SIGUSR2_EXIT)
  })

  it('removes its signal handlers when disposed', () => {
    const before = process.listenerCount(SIGNAL)
    const stop = onShutdown([{ close() {} }], { signals: [SIGNAL], exit: () => {} })
    expect(process.listenerCount(SIGNAL)).toBe(before + 1)
    stop()
    expect(process.listenerCount(SIGNAL)).toBe(before)
  })

  it('logs failures to the console by default', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    const exited = new Promise<number>((resolve) => {
      dispose = onShutdown([{ close: () => { throw new Error('socket gone') } }], { signals: [SIGNAL], exit: resolve })
    })
    process.emit(SIGNAL, SIGNAL)
    expect(await exited).toBe(1)
    expect(spy).toHaveBeenCalledWith(expect.objectContaining({ code: 'E_STORAGE' }))
    spy.mockRestore()
  })

  it('rejects unusable arguments with E_INVALID_ARGUMENT', () => {
    const code = expect.objectContaining({ name: 'TidingsError', code: 'E_INVALID_ARGUMENT' })
    expect(() => onShutdown({} as never)).toThrow(code)
    expect(() => onShutdown([{}])).toThrow(code)
    expect(() => onShutdown([null as never])).toThrow(code)
    expect(() => onShutdown([], { timeoutMs: 0 })).toThrow(code)
  })
})

describe('onShutdown() in a service stopped by SIGTERM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-shutdown-'))
  const child = join(dir, 'shutdown-child.mjs')

  beforeAll(async () => {
    // The child runs the TypeScript sources: bundle them (tsconfig paths resolve @tidings/*).
    await build({
      entryPoints: [fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url))],
      outfile: child, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent',
    })
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const run = (name: string, mode: 'slow' | 'hang', timeoutMs: number, signals: number) => {
    const out = join(dir, `${name}.log`)
    const proc = spawn(process.execPath, [child, out, mode, String(timeoutMs)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    proc.stderr.on('data', (chunk: Buffer) => { stderr += chunk })
    proc.stdout.once('data', async () => {
      for (let i = 0; i < signals; i++) {
        proc.kill('SIGTERM')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })
    return new Promise<{ code: number | null; out: string; stderr: string }>((resolve) => {
      proc.on('exit', (code) => resolve({ code, out, stderr }))
    })
  }

  it('writes the pending events before exiting 0', async () => {
    const { code, out, stderr } = await run('clean', 'slow', 5000, 1)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(readFileSync(out, 'utf8').split('\n')).toEqual(['order.placed', 'order.placed', 'order.shipped'])
  })

  it('exits 143 on a second SIGTERM while the flush hangs', async () => {
    const { code } = await run('forced', 'hang', 60_000, 2)
    expect(code).toBe(128 + 15)
  })

  it('exits 1 when the flush outlasts timeoutMs', async () => {
    const { code, stderr } = await run('timeout', 'hang', 200, 1)
    expect(code).toBe(1)
    expect(stderr).toContain('E_TIMEOUT')
  })
})
