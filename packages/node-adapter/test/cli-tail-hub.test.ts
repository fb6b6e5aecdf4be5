import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBus, standard } from '@tidings/core'
import type { TrafficRecord } from '@tidings/core'
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import WebSocket from 'ws'
import { cli, cliPath, cliProcess } from './cli-helpers'
import { hub, produce, until, viewer } from './devtools-helpers'

interface JsonLine {
  producer: string
  bus: string
  k: TrafficRecord['k']
  type?: string
  subscription?: string
  envelope?: { id: string; type: string; data: unknown }
}

/** A bus named `name` with a handler that works (mailer) and one that always fails, without retries (carrier). */
function shop(url: string, name = 'shop') {
  const bus = createBus({ source: `/${name}` }, standard({ retry: { attempts: 0 } }))
  bus.on('order.placed', () => {}, { name: 'mailer' })
  bus.on('order.shipped', () => { throw new Error('carrier down') }, { name: 'carrier' })
  const connection = produce(bus, url, { name })
  return { bus, connection }
}

/** `tidings tail --hub …` running until the test ends; resolves once it follows the hub. */
async function tail(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = await cliProcess(['tail', ...args], env)
  onTestFinished(() => void run.child.kill('SIGKILL'))
  await Promise.race([
    until(() => run.stderr().includes('Ctrl+C stops'), 10_000, 'tail to follow the hub'),
    run.exited.then((code) => { throw new Error(`tail exited ${code}: ${run.stderr()}`) }),
  ])
  const lines = () => run.stdout().split('\n').filter(Boolean)
  return { ...run, lines, json: () => lines().map((l) => JSON.parse(l) as JsonLine) }
}

/** A producer speaking the protocol by hand, for records no bus sends on cue. */
async function rawProducer(wsUrl: string, instance: string, name: string) {
  const ws = new WebSocket(wsUrl)
  onTestFinished(() => ws.terminate())
  await new Promise((resolve) => ws.once('open', resolve))
  ws.send(JSON.stringify({ v: 1, t: 'hello', role: 'producer', instance, name, source: `/${name}`, catalog: [] }))
  await new Promise((resolve) => ws.once('message', resolve))
  return (records: TrafficRecord[]) => ws.send(JSON.stringify({ v: 1, t: 'traffic', records, dropped: 0 }))
}

const emitted = (id: string, type: string, remote?: true): TrafficRecord =>
  ({ k: 'emitted', at: Date.now(), envelope: { specversion: '1.0', id, source: '/x', type, time: new Date().toISOString(), data: { id } }, ...(remote && { remote }) })

beforeAll(() => cliPath(), 30_000)

describe('tidings tail --hub', { timeout: 30_000 }, () => {
  it("prints the latest lines the hub kept, then each event and handler outcome as it happens, until Ctrl+C (exit 0)", async () => {
    const h = await hub()
    const { bus, connection } = shop(h.url)
    await connection.connected
    for (const orderId of ['o-1', 'o-2', 'o-3']) bus.emit('order.placed', { orderId })
    const watcher = await viewer(h.wsUrl, { live: true })
    await until(() => watcher.records().length === 6, 5000, 'the hub to keep 3 events and 3 deliveries')

    const run = await tail(['--hub', h.url, '--limit', '2'])
    await until(() => run.lines().length === 2, 5000, 'the backlog')
    expect(run.lines()[0]).toMatch(/^shop {2}\S+ {2}order\.placed {2}\S+ {2}\{"orderId":"o-3"\}$/)
    expect(run.lines()[1]).toMatch(/^shop {2}\S+ {2}order\.placed {2}\S+ {2}→ mailer {2}delivered /)
    expect(run.stderr()).toContain('1 bus connected (shop)')

    bus.emit('order.shipped', { orderId: 'o-3' })
    await until(() => run.lines().some((l) => l.includes('dead-lettered')), 5000, 'the dead letter')
    expect(run.lines().slice(2)).toEqual([
      expect.stringMatching(/order\.shipped .*\{"orderId":"o-3"\}$/),
      expect.stringMatching(/order\.shipped .*→ carrier {2}failed try 1, .*, no retry {2}Error: carrier down$/),
      expect.stringMatching(/order\.shipped .*→ carrier {2}dead-lettered after 1 try {2}Error: carrier down$/),
    ])
    run.child.kill('SIGINT')
    expect(await run.exited).toBe(0)
  })

  it('selects by --type pattern, --bus (name or source) and --outcome as the page does, one JSON record per line with --json', async () => {
    const h = await hub()
    const shopBus = shop(h.url, 'shop')
    const mailBus = shop(h.url, 'mail')
    await Promise.all([shopBus.connection.connected, mailBus.connection.connected])
    const byBus = await tail(['--hub', h.url, '--json', '--bus', 'shop'])
    const bySource = await tail(['--hub', h.url, '--json', '--bus', '/mail'])
    const byType = await tail(['--hub', h.url, '--json', '--type', 'user.*'])
    const byOutcome = await tail(['--hub', h.url, '--json', '--outcome', 'dead-lettered'])

    for (const { bus } of [shopBus, mailBus]) {
      bus.emit('order.shipped', { orderId: 'o-1' })
      bus.emit('user.signed-up', { user: 'ada' })
    }
    // 2 buses × (order.shipped: emitted, failed, dead-lettered + user.signed-up: emitted)
    await until(() => byOutcome.lines().length === 2 && byBus.lines().length === 4 && bySource.lines().length === 4 && byType.lines().length === 2, 5000, 'every tail to print its share')
    expect(byBus.json().every((r) => r.bus === 'shop' && r.producer === byBus.json()[0]!.producer)).toBe(true)
    expect(bySource.json().every((r) => r.bus === 'mail')).toBe(true)
    expect(byType.json().map((r) => [r.k, r.envelope?.type])).toEqual([['emitted', 'user.signed-up'], ['emitted', 'user.signed-up']])
    expect(byOutcome.json().map((r) => [r.bus, r.k, r.subscription]).sort()).toEqual([['mail', 'dead-lettered', 'carrier'], ['shop', 'dead-lettered', 'carrier']])
  })

  it('prints an event once when several buses report it (received through a transport), naming the first', async () => {
    const h = await hub()
    const receiver = await rawProducer(h.wsUrl, 'receiver', 'billing')
    const emitter = await rawProducer(h.wsUrl, 'emitter', 'shop')
    const run = await tail(['--hub', h.url])
    receiver([emitted('e-1', 'order.placed', true)])
    await until(() => run.lines().length === 1, 5000, 'the received event')
    emitter([emitted('e-1', 'order.placed'), emitted('e-2', 'order.paid')])
    await until(() => run.lines().length === 2, 5000, 'the next event')
    expect(run.lines()[0]).toMatch(/^billing \(received\) {2}.*order\.placed {2}e-1/)
    expect(run.lines()[1]).toMatch(/^shop {2}.*order\.paid {2}e-2/)
  })

  it('takes the token from --token-file, --token or TIDINGS_DEVTOOLS_TOKEN when the URL has none', async () => {
    const h = await hub()
    const bare = `http://127.0.0.1:${h.port}/`
    const dir = mkdtempSync(join(tmpdir(), 'tidings-tail-token-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'token')
    writeFileSync(file, `${h.token}\n`, { mode: 0o600 })
    for (const [args, env] of [[['--token-file', file], {}], [['--token', h.token], {}], [[], { TIDINGS_DEVTOOLS_TOKEN: h.token }]] as const) {
      const run = await tail(['--hub', bare, ...args], env)
      run.child.kill('SIGINT')
      expect(await run.exited, `${args.join(' ')}: ${run.stderr()}`).toBe(0)
    }
    const missing = await cli(['tail', '--hub', bare])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('has no token')
  })

  it('exits 5 when the hub refuses the token and 3 when no hub answers, saying what to do', async () => {
    const h = await hub()
    const refused = await cli(['tail', '--hub', `http://127.0.0.1:${h.port}/?token=not-the-hubs-token-at-all`])
    expect(refused.code).toBe(5)
    expect(refused.stderr).toContain('refused the token (401)')
    expect(refused.stderr).not.toContain('not-the-hubs-token')
    await h.close()
    const gone = await cli(['tail', '--hub', h.url])
    expect(gone.code).toBe(3)
    expect(gone.stderr).toMatch(/Cannot reach the devtools hub at ws:\/\/127\.0\.0\.1:\d+\/ws\?token=… \(connect ECONNREFUSED/)
  })

  it('exits 3 naming the hub when the hub stops while it follows', async () => {
    const h = await hub()
    const run = await tail(['--hub', h.url])
    await h.close()
    expect(await run.exited).toBe(3)
    expect(run.stderr()).toMatch(/The devtools hub at ws:\/\/127\.0\.0\.1:\d+\/ws\?token=… stopped/)
  })
})
