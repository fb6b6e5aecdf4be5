import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { paint } from '../src/cli/output'
import type { Io } from '../src/cli/output'
import { run } from '../src/cli/run'

const dir = mkdtempSync(join(tmpdir(), 'tidings-cli-usage-'))
const tokenFile = join(dir, 'token')
writeFileSync(tokenFile, 'a-token-that-is-long-enough\n', { mode: 0o600 })
// Nothing listens there: a command that got past its arguments would exit 3, not 2.
const hubUrl = 'http://127.0.0.1:9/?token=a-token-that-is-long-enough'

/** Command lines each command must refuse with exit code 2, and what its one-line message says. */
const BAD: Array<[string[], string]> = [
  [[], 'Usage: tidings'],
  [['deploy'], 'Unknown command "deploy"'],
  [['devtools', 'extra'], 'takes no arguments'],
  [['devtools', '--port'], "Option '--port <value>' argument missing"],
  [['devtools', '--port', 'abc'], '--port takes a whole number'],
  [['devtools', '--port', '70000'], 'up to 65535'],
  [['devtools', '--max-connections', '0'], 'at least 1'],
  [['devtools', '--static-dir', dir], 'holds no index.html'],
  [['devtools', '--origin', 'https://app.test/path'], 'did you mean https://app.test?'],
  [['devtools', '--origin', 'app.test'], '--origin takes a browser origin'],
  [['devtools', '--host', '0.0.0.0'], '--allow-remote'],
  [['devtools', '--token', 'short'], 'at least 16 characters'],
  [['devtools', '--token', 'a-token-that-is-long-enough', '--token-file', tokenFile], 'not both'],
  [['tail'], 'needs a store directory or a hub'],
  [['tail', dir, dir], 'takes one directory'],
  [['tail', dir, '--colour'], "Unknown option '--colour'"],
  [['tail', dir, '--limit', 'many'], '--limit takes a whole number'],
  [['tail', dir, '--interval', '100'], 'add --follow'],
  [['tail', dir, '--outcome', 'delivered'], '--outcome does not apply to tidings tail <dir>'],
  [['tail', dir, '--hub', hubUrl], 'not both'],
  [['tail', '--hub', hubUrl, '--interval', '100'], '--interval does not apply to tidings tail --hub'],
  [['tail', '--hub', hubUrl, '--outcome', 'none'], '"none" (no handler ran) cannot be told'],
  [['tail', '--hub', hubUrl, '--outcome', 'lost'], '"lost" is not one'],
  [['tail', '--hub', 'localhost:7420'], 'unsupported URL scheme "localhost:"'],
  [['tail', '--hub', 'not a url'], 'is not a URL'],
  [['tail', '--hub', 'http://127.0.0.1:9/'], 'has no token'],
  [['tail', '--hub', hubUrl, '--token-file', join(dir, 'missing')], 'does not exist'],
  [['tail', '--hub', hubUrl, '--token', 'a-token-that-is-long-enough', '--token-file', tokenFile], 'not both'],
  [['tail', '--token', 'a-token-that-is-long-enough'], '--token goes with --hub'],
  [['dlq'], 'needs an action'],
  [['dlq', 'explode', dir], 'got "explode"'],
  [['dlq', 'list'], 'needs the store directory'],
  [['dlq', 'list', dir, 'extra'], 'takes one directory'],
  [['dlq', 'list', dir, '--yes'], '--yes does not apply to tidings dlq list'],
  [['dlq', 'list', dir, '--hub', hubUrl], '--hub does not apply to tidings dlq list'],
  [['dlq', 'retry', dir], 'needs entry ids'],
  [['dlq', 'retry', dir, 'id-1', '--all'], 'not both'],
  [['dlq', 'retry', dir, '--all', '--hub', 'not a url'], 'is not a URL'],
  [['dlq', 'discard', dir], 'needs the ids'],
  [['dlq', 'discard', dir, 'id-1', '--json'], '--json does not apply to tidings dlq discard'],
  [['dlq', 'purge', dir], 'add --yes'],
  [['dlq', 'purge', dir, '--yes', 'extra'], 'takes one directory'],
]

/** Runs `tidings …` in this process (spawned runs are in cli.test.ts): its exit code and what it wrote. */
async function cli(args: string[]) {
  let stdout = ''
  let stderr = ''
  const io: Io = { out: (line) => (stdout += `${line}\n`), err: (line) => (stderr += `${line}\n`), color: paint(false), errColor: paint(false) }
  // A command that got past its arguments (a hub that started) would not return: give up on it.
  const code = await Promise.race([run(args, io), new Promise<'hung'>((resolve) => setTimeout(resolve, 5000, 'hung'))])
  return { code, stdout, stderr }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('tidings argument errors', { timeout: 60_000 }, () => {
  it('each help lists exit code 2 for bad options', async () => {
    for (const command of ['devtools', 'tail', 'dlq']) {
      expect((await cli([command, '--help'])).stdout, command).toMatch(/Exit codes: .*2 bad options/s)
    }
    expect((await cli(['--help'])).stdout).toMatch(/Exit codes: .*2 bad command line/s)
  })

  it('exit with 2 and say what is wrong, without a stack, for every command', async () => {
    const failures: string[] = []
    for (const [args, says] of BAD) {
      const result = await cli(args)
      const ok = result.code === 2 && result.stderr.includes(says) && !/\n\s+at /.test(result.stderr)
      if (!ok) failures.push(`tidings ${args.join(' ')} → ${result.code}: ${result.stderr.trim().split('\n')[0]}`)
    }
    expect(failures).toEqual([])
  })
})
