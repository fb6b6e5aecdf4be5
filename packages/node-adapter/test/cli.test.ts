import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBus, standard } from '@tidings/core'
import type { StandardBus } from '@tidings/core'
import { fileStore } from '@tidings/node'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { cli, cliPath, cliProcess } from './cli-helpers'
import { hub, produce, until } from './devtools-helpers'

const ANSI = /\x1b\[/

let dir: string

/** A store with three events and two dead letters (a handler that fails, no retries); closed after. */
async function seed(): Promise<void> {
  const bus = createBus({ source: '/shop', store: fileStore({ dir, durability: 'none' }) }, standard({ retry: { attempts: 0 } }))
  bus.on('order.shipped', () => { throw new Error('carrier down') }, { name: 'notify-carrier' })
  bus.emit('order.placed', { orderId: 'o-1' })
  bus.emit('user.signed-up', { user: 'ada' })
  await bus.publish('order.shipped', { orderId: 'o-1' })
  await bus.publish('order.shipped', { orderId: 'o-2' })
  await bus.flush()
  await bus.close()
}

beforeAll(() => cliPath(), 30_000)

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidings-cli-'))
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('tidings', { timeout: 30_000 }, () => {
  it('prints help for itself and each command with exit code 0', async () => {
    for (const args of [['--help'], ['devtools', '--help'], ['tail', '--help'], ['dlq', '--help']]) {
      const run = await cli(args)
      expect(run.code, args.join(' ')).toBe(0)
      expect(run.stdout).toMatch(/^Usage: tidings/)
    }
  })

  it('exits 2 on an unknown command, an unknown option or a missing argument', async () => {
    expect((await cli([])).code).toBe(2)
    const unknown = await cli(['deploy'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('Unknown command "deploy"')
    const option = await cli(['tail', dir, '--colour'])
    expect(option.code).toBe(2)
    expect(option.stderr).toContain("Unknown option '--colour'")
    expect((await cli(['tail'])).code).toBe(2)
    expect((await cli(['dlq', 'list'])).code).toBe(2)
    expect((await cli(['dlq', 'explode', dir])).code).toBe(2)
  })
})

describe('tidings tail', { timeout: 30_000 }, () => {
  it('prints the events oldest first, without color codes when piped', async () => {
    await seed()
    const run = await cli(['tail', dir])
    expect(run.code).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines.map((l) => l.split(/\s+/)[1])).toEqual(['order.placed', 'user.signed-up', 'order.shipped', 'order.shipped'])
    expect(lines[0]).toContain('{"orderId":"o-1"}')
    expect(run.stdout).not.toMatch(ANSI)
  })

  it('colors its output when forced (as on a terminal), never with NO_COLOR', async () => {
    await seed()
    expect((await cli(['tail', dir], { env: { FORCE_COLOR: '1' } })).stdout).toMatch(ANSI)
    expect((await cli(['tail', dir], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout).not.toMatch(ANSI)
  })

  it('prints the readable events of a damaged store and says on stderr, in one line, what it skipped', async () => {
    await seed()
    const [segment] = (await readdir(dir)).filter((f) => f.endsWith('.ndjson') && !f.startsWith('dead'))
    const path = join(dir, segment!)
    const bytes = await readFile(path)
    // Inside the second record's payload: the first, third and fourth stay readable.
    const second = bytes.indexOf('user.signed-up')
    bytes[second + 2] = bytes[second + 2]! ^ 0x20
    await writeFile(path, bytes)
    const run = await cli(['tail', dir])
    expect(run.code).toBe(0)
    expect(run.stdout.trim().split('\n').map((l) => l.split(/\s+/)[1])).toEqual(['order.placed', 'order.shipped', 'order.shipped'])
    const warnings = run.stderr.trim().split('\n')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^warning: .*is damaged at byte \d+.*\(E_STORAGE_DAMAGED\)$/)
  })

  it('prints CloudEvents JSON lines with --json, filtered by --type patterns and --limit', async () => {
    await seed()
    const run = await cli(['tail', dir, '--json', '--type', 'order.*', '--limit', '2'])
    expect(run.code).toBe(0)
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { specversion: string; type: string; data: unknown })
    expect(events.map((e) => [e.specversion, e.type, e.data])).toEqual([
      ['1.0', 'order.shipped', { orderId: 'o-1' }], ['1.0', 'order.shipped', { orderId: 'o-2' }],
    ])
  })

  it('keeps printing events written by another process with --follow', async () => {
    await seed()
    const tail = await cliProcess(['tail', dir, '--follow', '--json', '--limit', '1', '--interval', '20'])
    await until(() => tail.stdout().split('\n').length === 2, 10_000, 'the first line')
    const bus = createBus({ source: '/shop', store: fileStore({ dir, durability: 'none' }) })
    bus.emit('order.placed', { orderId: 'o-live' })
    await bus.flush()
    await until(() => tail.stdout().includes('o-live'), 10_000, 'the followed event')
    await bus.close()
    tail.child.kill('SIGINT')
    expect(await tail.exited).toBe(0)
    expect(tail.stdout().trim().split('\n')).toHaveLength(2)
  })

  it('exits 4 when the directory holds no store', async () => {
    const run = await cli(['tail', join(dir, 'missing')])
    expect(run.code).toBe(4)
    expect(run.stderr).toContain('no file store')
  })
})

describe('tidings dlq', { timeout: 30_000 }, () => {
  it('lists dead letters, as lines or --json', async () => {
    await seed()
    const lines = await cli(['dlq', 'list', dir])
    expect(lines.code).toBe(0)
    expect(lines.stdout.trim().split('\n')).toHaveLength(2)
    expect(lines.stdout).toContain('notify-carrier')
    expect(lines.stdout).toContain('carrier down')
    expect(lines.stderr).toContain('2 dead letters')
    const json = await cli(['dlq', 'list', dir, '--json'])
    const entries = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; subscription: string; envelope: { data: unknown } })
    expect(entries.map((e) => [e.subscription, e.envelope.data])).toEqual([
      ['notify-carrier', { orderId: 'o-1' }], ['notify-carrier', { orderId: 'o-2' }],
    ])
  })

  it('refuses retry without the owning process, with exit code 3 and what to do', async () => {
    await seed()
    const run = await cli(['dlq', 'retry', dir, '--all'])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('needs the process that owns')
    expect(run.stderr).toContain('connectDevtools')
  })

  it('retries through the hub when the owning process is connected to it', async () => {
    await seed()
    const h = await hub()
    const delivered: string[] = []
    // The hub's retry command runs in the owning process: its bus needs deadLetters() (in standard()) and observe().
    const bus = createBus({ source: '/shop', store: fileStore({ dir, durability: 'none' }) }, standard())
    bus.on('order.shipped', (data) => void delivered.push((data as { orderId: string }).orderId), { name: 'notify-carrier' })
    await bus.ready
    const producer = produce(bus, h.url, { storeDir: dir })
    await producer.connected
    try {
      const [first] = (await cli(['dlq', 'list', dir, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string })
      const one = await cli(['dlq', 'retry', dir, first!.id, '--hub', h.url])
      expect(one.code).toBe(0)
      expect(one.stdout).toContain(`retried  ${first!.id}`)
      expect(delivered).toEqual(['o-1'])
      const rest = await cli(['dlq', 'retry', dir, '--all'], { env: { TIDINGS_DEVTOOLS_URL: h.url } })
      expect(rest.code).toBe(0)
      expect(delivered).toEqual(['o-1', 'o-2'])
      expect(await bus.dlq.size()).toBe(0)
    } finally {
      await producer.close()
      await bus.close()
    }
  })

  it('exits 3 when the hub cannot be reached', async () => {
    await seed()
    const run = await cli(['dlq', 'retry', dir, '--all', '--hub', 'http://127.0.0.1:9/?token=x'])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('Cannot reach the devtools hub')
  })

  it('discards entries in a store no process holds; an unknown id exits 1', async () => {
    await seed()
    const [first] = (await cli(['dlq', 'list', dir, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string })
    const run = await cli(['dlq', 'discard', dir, first!.id, 'no-such-id'])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(`discarded  ${first!.id}`)
    expect(run.stdout).toContain('not found  no-such-id')
    expect((await cli(['dlq', 'list', dir, '--json'])).stdout.trim().split('\n')).toHaveLength(1)
  })

  it('refuses to write a store another process holds (exit 3) unless it goes through the hub', async () => {
    await seed()
    const bus: StandardBus = createBus({ source: '/shop', store: fileStore({ dir, durability: 'none' }) }, standard())
    await bus.ready
    try {
      const locked = await cli(['dlq', 'purge', dir, '--yes'])
      expect(locked.code).toBe(3)
      expect(locked.stderr).toContain(`process ${process.pid}`)
      const h = await hub()
      const producer = produce(bus, h.url, { storeDir: dir })
      await producer.connected
      const purged = await cli(['dlq', 'purge', dir, '--yes', '--hub', h.url])
      expect(purged.code).toBe(0)
      expect(purged.stdout).toContain('purged  2 dead letters')
      await producer.close()
    } finally {
      await bus.close()
    }
  })

  it('purges only with --yes', async () => {
    await seed()
    const unconfirmed = await cli(['dlq', 'purge', dir])
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain('--yes')
    expect((await cli(['dlq', 'purge', dir, '--yes'])).code).toBe(0)
    expect((await cli(['dlq', 'list', dir, '--json'])).stdout).toBe('')
  })
})

describe('tidings devtools', { timeout: 30_000 }, () => {
  it('starts a hub, prints its URL with the token, serves the page, and stops on SIGINT with 0', async () => {
    const run = await cliProcess(['devtools', '--port', '0'])
    const url = await until(() => /page: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(run.stdout())?.[1], 10_000, 'the URL')
    expect(run.stdout()).not.toMatch(ANSI)
    expect((await fetch(url)).status).toBe(200)
    expect((await fetch(url.replace(/\?.*/, ''))).status).toBe(401)
    run.child.kill('SIGINT')
    expect(await run.exited).toBe(0)
  })

  it('refuses a non-loopback --host without --allow-remote (exit 2)', async () => {
    const run = await cli(['devtools', '--host', '0.0.0.0', '--port', '0'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--allow-remote')
  })

  it('exits 3 when the port is taken', async () => {
    const h = await hub()
    const run = await cli(['devtools', '--port', String(h.port)])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('in use')
  })
})
