import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBus, standard } from '@tidings/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { cli, cliProcess } from './cli-helpers'
import { produce, until } from './devtools-helpers'

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-token-file-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** `tidings devtools` running until the test ends; resolves with its printed page URL. */
async function devtools(args: string[]) {
  const run = await cliProcess(['devtools', ...args])
  onTestFinished(() => void run.child.kill('SIGKILL'))
  const url = await until(() => /page: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(run.stdout())?.[1], 10_000, 'the URL')
  return { run, url, token: new URL(url).searchParams.get('token')! }
}

describe('tidings devtools --token-file', { timeout: 30_000 }, () => {
  it('writes a new token readable by its owner only, and reads it back after a restart, so a service reconnects', async () => {
    const file = join(tempDir(), 'nested', 'devtools-token')
    const first = await devtools(['--port', '0', '--token-file', file])
    expect(readFileSync(file, 'utf8').trim()).toBe(first.token)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    await until(() => first.run.stdout().includes(`token written to ${file}`), 3000, 'where the token went')

    const port = new URL(first.url).port
    const connection = produce(createBus({ source: '/shop' }, standard()), first.url, { reconnect: { initialMs: 20, maxMs: 100 } })
    await connection.connected
    first.run.child.kill('SIGINT')
    expect(await first.run.exited).toBe(0)
    await until(() => !connection.stats().connected, 3000, 'the producer to notice')

    const second = await devtools(['--port', port, '--token-file', file])
    expect(second.token).toBe(first.token)
    await until(() => second.run.stdout().includes(`token read from ${file}`), 3000, 'where the token came from')
    await until(() => connection.stats().connected, 10_000, 'the producer to reconnect')
    expect(connection.stats().error).toBeUndefined()
  })

  it('warns about a token file others can read, refuses an unusable one and --token with it (exit 2)', async () => {
    const dir = tempDir()
    const open = join(dir, 'open-token')
    writeFileSync(open, 'a-token-that-is-long-enough\n', { mode: 0o644 })
    const started = await devtools(['--port', '0', '--token-file', open])
    expect(started.token).toBe('a-token-that-is-long-enough')
    await until(() => started.run.stderr().includes(`chmod 600 ${open}`), 3000, 'the warning')

    const short = join(dir, 'short-token')
    writeFileSync(short, 'short\n', { mode: 0o600 })
    const refused = await cli(['devtools', '--port', '0', '--token-file', short])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`The token file ${short} holds no usable token`)
    expect((await cli(['devtools', '--port', '0', '--token-file', short, '--token', 'a-token-that-is-long-enough'])).code).toBe(2)
  })
})
