import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
// As users run them, against the built packages: scripts/setup.mjs builds both (npm test runs it first).
const tidings = join(root, 'packages/node-adapter/bin/tidings.js')
const service = join(root, 'examples/node-service/dist/main.js')

interface Running {
  stdout(): string
  stderr(): string
  exited: Promise<number | null>
  kill(signal?: NodeJS.Signals): void
}

const running: Running[] = []

const start = (args: string[], env: NodeJS.ProcessEnv = {}): Running => {
  const child = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  const run = { stdout: () => stdout, stderr: () => stderr, exited, kill: (signal: NodeJS.Signals = 'SIGTERM') => void child.kill(signal) }
  running.push(run)
  return run
}

const waitFor = async <T>(check: () => T | undefined | null | false, what: string, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

interface Line {
  bus: string
  k: string
  type?: string
  subscription?: string
  envelope?: { type: string; correlationid?: string; data: { orderId?: string } }
}

let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidings-tail-hub-'))
})

afterAll(() => {
  for (const run of running) run.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

describe('tidings tail --hub, between tidings devtools and the node-service example', () => {
  it("follows an order's events and handler outcomes as they happen, filtered, and stops with the hub", async () => {
    const tokenFile = join(dir, 'devtools-token')
    const hub = start([tidings, 'devtools', '--port', '0', '--token-file', tokenFile])
    const pageUrl = await waitFor(() => /page: (http:\/\/\S+)/.exec(hub.stdout())?.[1], 'the hub URL')
    const bare = pageUrl.replace(/\?.*$/, '')

    const shop = start([service], { PORT: '0', DATA_DIR: join(dir, 'data'), TIDINGS_DEVTOOLS: pageUrl, INSTANCE_NAME: 'shop', PAYMENT_FAILURE_RATE: '1', PAYMENT_LATENCY_MS: '0' })
    const api = await waitFor(() => /listening on (http:\/\/\S+)/.exec(shop.stdout())?.[1], 'the service')

    // The token from the file the hub keeps, as a service restarted with it would use.
    const all = start([tidings, 'tail', '--hub', bare, '--token-file', tokenFile, '--json'])
    const failures = start([tidings, 'tail', '--hub', pageUrl, '--outcome', 'dead-lettered', '--type', 'order.*'])
    for (const tail of [all, failures]) await waitFor(() => tail.stderr().includes('1 bus connected (shop)'), 'tail to follow the hub')

    const placed = await fetch(`${api}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: 'ada@example.com', items: [{ sku: 'MUG-001', qty: 1 }] }),
    })
    const { orderId } = (await placed.json()) as { orderId: string }

    const lines = () => all.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)
    await waitFor(() => lines().some((l) => l.k === 'dead-lettered'), 'the payment to be dead-lettered')
    const order = lines().filter((l) => l.k !== 'emitted' || l.envelope?.correlationid === orderId)
    expect(order.every((l) => l.bus === 'shop')).toBe(true)
    expect(order.map((l) => (l.k === 'emitted' ? `${l.envelope!.type}` : `${l.type} → ${l.subscription} ${l.k}`))).toEqual(expect.arrayContaining([
      'order.placed',
      'order.placed → reserve-stock delivered',
      'order.reserved',
      'order.reserved → charge-payment failed',
      'order.reserved → charge-payment dead-lettered',
    ]))

    await waitFor(() => failures.stdout().includes('dead-lettered'), 'the filtered tail')
    expect(failures.stdout().trim().split('\n')).toEqual([
      expect.stringMatching(/^shop {2}\S+ {2}order\.reserved {2}\S+ {2}→ charge-payment {2}dead-lettered after 2 tries {2}GatewayTimeoutError: payment gateway timed out/),
    ])

    all.kill('SIGINT')
    expect(await all.exited).toBe(0)

    shop.kill('SIGTERM')
    await waitFor(() => failures.stderr().includes('bus shop disconnected'), 'the tail to say the bus left')
    hub.kill('SIGINT')
    expect(await hub.exited).toBe(0)
    expect(await failures.exited).toBe(3)
    expect(failures.stderr()).toMatch(/The devtools hub at ws:\/\/127\.0\.0\.1:\d+\/ws\?token=… stopped/)
  }, 45_000)

  it('exits 5 and says why when the hub refuses the token', async () => {
    const hub = start([tidings, 'devtools', '--port', '0'])
    const pageUrl = await waitFor(() => /page: (http:\/\/\S+)/.exec(hub.stdout())?.[1], 'the hub URL')
    const refused = start([tidings, 'tail', '--hub', pageUrl.replace(/token=.*/, 'token=a-token-from-an-earlier-run')])
    expect(await refused.exited).toBe(5)
    expect(refused.stderr()).toContain('refused the token (401)')
    hub.kill('SIGINT')
    expect(await hub.exited).toBe(0)
  }, 45_000)
})
