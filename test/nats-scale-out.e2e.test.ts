import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fileStore, startDevtoolsHub } from '@tidings/node'
import type { DevtoolsHub } from '@tidings/node'
import type { Browser, Page } from 'playwright'
import { build, preview } from 'vite'
import type { PreviewServer } from 'vite'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startNatsServer } from '../scripts/start/nats-server.mjs'
import type { NatsServer } from '../scripts/start/nats-server.mjs'
import { launchChromium } from './support/browser'

const root = fileURLToPath(new URL('..', import.meta.url))
// The examples and the devtools page as users run them: scripts/setup.mjs builds them (npm test runs it first).
const main = join(root, 'examples/node-service/dist/main.js')
const appRoot = join(root, 'examples/browser-app')
const screenshots = join(root, 'test-results/nats-scale-out')

/** How soon the charges of a killed instance go to the other one. */
const ACK_WAIT_MS = 1500
/**
 * A's payment gateway is slow and B's quick: an order still unpaid well after B would have
 * charged it is one that A holds, which is what the kill must interrupt.
 */
const LATENCY_MS = { a: 3000, b: 100 }
/** Longer than any charge of B's (100–310 ms) takes, with room for a loaded machine. */
const B_IS_DONE_MS = 1500

interface Instance {
  readonly name: string
  readonly dataDir: string
  readonly child: ChildProcess
  url: string
  /** What it printed, shown when a test fails. */
  output: string
}

interface OrderStatus {
  status: 'processing' | 'paid' | 'stuck'
  events: Array<{ type: string; time: string }>
}

/** A line of the devtools page's Export: the event, the bus that emitted it, and what each process did with it. */
interface ExportedEvent {
  id: string
  type: string
  time: string
  correlationid?: string
  devtoolsproducer: string
  devtoolsdeliveries?: string
}

interface Delivery {
  k: 'delivered' | 'failed' | 'dead-lettered'
  producer: string
  subscription: string
}

let work: string
let nats: NatsServer
let hub: DevtoolsHub
let app: PreviewServer
let browser: Browser
let devtools: Page
/** The browser app, open from test c on: its bus stays connected to the hub. */
let shop: Page
let a: Instance
let b: Instance
const instances: Instance[] = []
/** The order the shop placed in test c, looked for in the devtools page in test d. */
let shopOrder: string

/** Starts an instance of the node service on the shared nats-server; resolves once it listens. */
async function startInstance(suffix: 'a' | 'b'): Promise<Instance> {
  const name = `node-service-${suffix}`
  const dataDir = join(work, name)
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env, PORT: '0', DATA_DIR: dataDir, INSTANCE_NAME: name, TIDINGS_NATS: nats.url, TIDINGS_DEVTOOLS: hub.url,
      NATS_ACK_WAIT_MS: String(ACK_WAIT_MS), PAYMENT_FAILURE_RATE: '0', PAYMENT_LATENCY_MS: String(LATENCY_MS[suffix]),
      // Shipping (order.shipped after packing) is the node-service test's: here an order ends paid.
      PACKING_MS: '60000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const instance: Instance = { name, dataDir, child, url: '', output: '' }
  instances.push(instance)
  const listening = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      instance.output += chunk
      const url = /listening on (http:\/\/\S+)/.exec(instance.output)?.[1]
      if (url) resolve(url)
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${signal ?? code}) before listening:\n${instance.output}`)))
  })
  instance.url = await listening
  return instance
}

/** SIGTERM (a graceful stop), then SIGKILL if it hangs. */
async function stopInstance({ child }: Instance): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

const request = async <T>(url: string, init?: RequestInit): Promise<T> => {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json' } })
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

/** POST /orders: one of `sku`; resolves once the instance has made it durable (202). */
const placeOrder = async (instance: Instance, sku: string): Promise<string> => {
  const body = JSON.stringify({ customer: 'ada@example.com', items: [{ sku, qty: 1 }] })
  return (await request<{ orderId: string }>(`${instance.url}/orders`, { method: 'POST', body })).orderId
}

const orderOn = (instance: Instance, orderId: string) => request<OrderStatus>(`${instance.url}/orders/${orderId}`)
const statusesOn = async (instance: Instance, orderIds: string[]) => (await Promise.all(orderIds.map((id) => orderOn(instance, id)))).map((o) => o.status)
const typesOf = (order: OrderStatus) => order.events.map((e) => e.type)
const stockOn = async (instance: Instance, sku: string) =>
  (await request<Array<{ sku: string; stock: number }>>(`${instance.url}/products`)).find((p) => p.sku === sku)!.stock

/** Everything the devtools page holds, through its Export button (CloudEvents NDJSON). */
async function exportSession(): Promise<ExportedEvent[]> {
  const [download] = await Promise.all([devtools.waitForEvent('download'), devtools.getByRole('button', { name: 'Export' }).click()])
  const text = readFileSync((await download.path())!, 'utf8')
  await download.delete()
  return text.trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as ExportedEvent)
}
const deliveriesOf = (event: ExportedEvent): Delivery[] => (event.devtoolsdeliveries ? JSON.parse(event.devtoolsdeliveries) as Delivery[] : [])

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), animations: 'disabled' })

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true })
  work = mkdtempSync(join(tmpdir(), 'tidings-nats-scale-out-'))
  const outDir = join(work, 'browser-app')
  const built = build({ root: appRoot, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  built.catch(() => {}) // awaited below; this only keeps a failure before then from going unhandled
  // Each assigned as soon as it runs, so that afterAll stops it even if another one fails to start.
  await Promise.all([
    startNatsServer().then((server) => (nats = server)),
    startDevtoolsHub({ port: 0, staticDir: join(root, 'packages/devtools/dist') }).then((started) => (hub = started)),
    launchChromium().then((launched) => (browser = launched)),
  ])
  // One after the other: A creates the stream and the shared consumers, B joins them.
  a = await startInstance('a')
  b = await startInstance('b')
  await built
  app = await preview({ root: appRoot, logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } })
  devtools = await browser.newPage({ viewport: { width: 1400, height: 860 }, acceptDownloads: true })
  await devtools.goto(hub.url)
}, 60_000)

afterEach((context) => {
  if (context.task.result?.state !== 'fail') return
  for (const { name, output } of instances) console.error(`Output of ${name}:\n${output}`)
})

afterAll(async () => {
  // Each step runs even when an earlier one fails: no process may outlive the test.
  const steps: Array<() => Promise<unknown> | undefined> = [
    () => browser?.close(),
    () => app?.close(),
    () => Promise.all(instances.map(stopInstance)),
    () => hub?.close(),
    () => nats?.dispose(),
  ]
  for (const step of steps) await step()?.catch((error: unknown) => console.error(error))
  if (work) rmSync(work, { recursive: true, force: true })
}, 30_000)

describe('two node-service instances and the browser app on one nats-server', () => {
  it('shares the work: each order, placed on either instance, is reserved and charged once, and each instance does some', async () => {
    const sku = 'TEA-002'
    const stockBefore = await Promise.all([stockOn(a, sku), stockOn(b, sku)])
    const orders: string[] = []
    for (let n = 0; n < 20; n++) orders.push(await placeOrder(n % 2 === 0 ? a : b, sku))

    // Each instance's history has every order's events, whichever instance handled them.
    await expect.poll(() => statusesOn(b, orders), { timeout: 20_000, interval: 250 }).toEqual(orders.map(() => 'paid'))
    for (const orderId of orders) {
      for (const instance of [a, b]) {
        expect(typesOf(await orderOn(instance, orderId))).toEqual(['order.placed', 'inventory.reserved', 'order.reserved', 'payment.captured'])
      }
    }

    // Each instance keeps its own stock: between them they took 20 off the shelf, each some.
    const taken = (await Promise.all([stockOn(a, sku), stockOn(b, sku)])).map((level, i) => stockBefore[i]! - level)
    expect(taken[0]! + taken[1]!).toBe(20)
    expect(taken[0]).toBeGreaterThan(0)
    expect(taken[1]).toBeGreaterThan(0)

    // The devtools page knows which process ran each delivery: every charge ran once, each instance ran some.
    const charges = await vi.waitFor(async () => {
      const reserved = (await exportSession()).filter((e) => e.type === 'order.reserved' && orders.includes(e.correlationid!))
      expect(reserved).toHaveLength(20)
      const ran = reserved.map((e) => deliveriesOf(e).filter((d) => d.subscription === 'charge-payment'))
      expect(ran.every((deliveries) => deliveries.length === 1 && deliveries[0]!.k === 'delivered')).toBe(true)
      return ran.map(([delivery]) => delivery!.producer)
    }, { timeout: 10_000, interval: 500 })
    expect(charges.filter((p) => p === 'node-service-a').length).toBeGreaterThan(0)
    expect(charges.filter((p) => p === 'node-service-b').length).toBeGreaterThan(0)
    expect(charges.filter((p) => p !== 'node-service-a' && p !== 'node-service-b')).toEqual([])
  }, 40_000)

  it('takes the shop’s order over NATS: an instance charges it and the page marks it paid', async () => {
    shop = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    await shop.goto(`${app.resolvedUrls!.local[0]}?nats=${encodeURIComponent(nats.wsUrl)}&devtools=${encodeURIComponent(hub.url)}`)
    await shop.getByText('orders go to the node service over NATS').waitFor({ timeout: 15_000 })
    await shop.getByText('devtools connected').waitFor({ timeout: 10_000 })
    // The services charge the orders: the page's own failure-rate slider is gone.
    expect(await shop.getByRole('slider').count()).toBe(0)

    await shop.getByRole('button', { name: 'Add Stoneware mug' }).click()
    await shop.getByRole('button', { name: 'Add Stoneware mug' }).click()
    await shop.getByRole('button', { name: 'Add Ginger biscuits' }).click()
    await expect.poll(() => shop.locator('.cart').innerText()).toContain('Total €32.75')
    await shop.getByRole('button', { name: 'Checkout' }).click()
    const row = shop.locator('.orders tr').first()
    await row.waitFor()
    shopOrder = await row.locator('.mono').innerText()
    // payment.captured comes back from whichever instance charged it (A takes 3 s).
    await expect.poll(() => row.innerText(), { timeout: 15_000 }).toMatch(/\bpaid\b/)
    await shot(shop, 'shop-paid')

    const order = await orderOn(a, shopOrder)
    expect(order.status).toBe('paid')
    expect(typesOf(order)).toEqual(['order.placed', 'inventory.reserved', 'inventory.reserved', 'order.reserved', 'payment.captured'])
  }, 40_000)

  it('shows the shop’s order in the devtools page once per event, with the bus of each step', async () => {
    await devtools.getByText('Live · 3 buses').waitFor({ timeout: 10_000 })
    const rows = devtools.locator('[role=option]')
    await devtools.getByLabel('Search payloads').fill(shopOrder)
    await rows.filter({ hasText: 'payment.captured' }).first().waitFor({ timeout: 10_000 })
    await rows.filter({ hasText: 'order.placed' }).first().click()
    const detail = devtools.getByLabel('Event detail')
    await detail.getByRole('button', { name: 'only this operation' }).click()
    await devtools.getByLabel('Search payloads').fill('')

    // The three buses each saw order.placed (one emitted it, two received it): it is still one row.
    const service = /node-service-[ab]/
    await vi.waitFor(async () => {
      const texts = await rows.allInnerTexts()
      expect(texts).toHaveLength(5)
      const row = (type: string) => texts.filter((t) => t.includes(type))
      expect(row('order.placed')).toEqual([expect.stringContaining('browser-app')])
      expect(row('inventory.reserved')).toEqual([expect.stringMatching(service), expect.stringMatching(service)])
      expect(row('order.reserved')).toEqual([expect.stringMatching(service)])
      expect(row('payment.captured')).toEqual([expect.stringMatching(service)])
    }, { timeout: 10_000, interval: 250 })
    const session = await exportSession()
    expect(new Set(session.map((e) => e.id)).size).toBe(session.length)

    await rows.filter({ hasText: 'payment.captured' }).click()
    await detail.locator('h2', { hasText: 'payment.captured' }).waitFor()
    const chain = detail.locator('.chain')
    await vi.waitFor(async () => {
      const text = await chain.innerText()
      expect(text).toMatch(/order\.placed\s+browser-app/)
      expect(text).toMatch(/order\.reserved\s+node-service-[ab]/)
      expect(text).toMatch(/payment\.captured\s+node-service-[ab]/)
    }, { timeout: 5_000 })
    // The emitting bus of each step, from the shop to the payment.
    const path = await detail.locator('section', { hasText: 'Operation chain' }).locator('p.muted').innerText()
    expect(path).toMatch(/^browser-app → node-service-[ab]( → node-service-[ab])?$/)
    await shot(devtools, 'devtools-chain')
  }, 30_000)

  it('loses no order when an instance is killed (SIGKILL) in the middle of its charges', async () => {
    const sku = 'HNY-001'
    const orders = await Promise.all(Array.from({ length: 10 }, (_, n) => placeOrder(n % 2 === 0 ? a : b, sku)))
    const reservedAgo = (order: OrderStatus) => {
      const reserved = order.events.find((e) => e.type === 'order.reserved')
      return reserved === undefined ? 0 : Date.now() - Date.parse(reserved.time)
    }
    // Once B has had time to charge its share, the orders still unpaid are the ones A is charging.
    const held = await vi.waitFor(async () => {
      const states = await Promise.all(orders.map((id) => orderOn(b, id)))
      expect(states.every((o) => o.status === 'paid' || reservedAgo(o) > B_IS_DONE_MS)).toBe(true)
      return orders.filter((_, i) => states[i]!.status === 'processing')
    }, { timeout: 10_000, interval: 100 })
    expect(held.length).toBeGreaterThan(0)

    const exited = once(a.child, 'exit')
    a.child.kill('SIGKILL')
    const killedAt = Date.now()
    await exited

    // JetStream hands A's unacknowledged charges to B once ACK_WAIT_MS has passed.
    await expect.poll(() => statusesOn(b, orders), { timeout: 20_000, interval: 250 }).toEqual(orders.map(() => 'paid'))
    for (const orderId of orders) {
      const order = await orderOn(b, orderId)
      expect(typesOf(order).filter((type) => type === 'payment.captured')).toHaveLength(1)
      if (held.includes(orderId)) {
        expect(Date.parse(order.events.find((e) => e.type === 'payment.captured')!.time)).toBeGreaterThan(killedAt)
      }
    }
    expect(await request(`${b.url}/dead-letters`)).toEqual([])

    // A's own store, read after the crash: every order A accepted is there, and no dead letter.
    const store = fileStore({ dir: a.dataDir, readOnly: true })
    await store.ready
    const placed = new Set<string>()
    for await (const { envelope } of store.read({ types: ['order.placed'] })) placed.add(envelope.correlationid!)
    expect(orders.filter((_, n) => n % 2 === 0).every((id) => placed.has(id))).toBe(true)
    expect(await store.listDeadLetters()).toEqual([])
    await store.close()
  }, 40_000)
})
