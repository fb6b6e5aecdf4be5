import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectSse } from './support/sse-client'

const root = fileURLToPath(new URL('..', import.meta.url))
// The example as users run it, against the built packages: scripts/setup.mjs builds both (npm test runs it first).
const main = join(root, 'examples/node-service/dist/main.js')

let dataDir: string
let service: ChildProcess | undefined

/** Starts the service on a free port; resolves with its base URL once it listens. */
const startService = async (paymentFailureRate: number, packingMs = 1000): Promise<string> => {
  service = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, PAYMENT_FAILURE_RATE: String(paymentFailureRate), PACKING_MS: String(packingMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  for await (const line of createInterface({ input: service.stdout! })) {
    const url = /listening on (http:\/\/\S+)/.exec(line)?.[1]
    if (url) return url
  }
  throw new Error('the service exited before listening')
}

const stopService = async (): Promise<number | null> => {
  const exited = once(service!, 'exit')
  service!.kill('SIGTERM')
  const [code] = (await exited) as [number | null]
  service = undefined
  return code
}

interface DeadLetter {
  id: string
  type: string
  correlationid: string
  subscription: string
  attempts: number
}

interface OrderStatus {
  status: string
  events: Array<{ type: string }>
}

const json = async <T = Record<string, unknown>>(url: string, init?: RequestInit) => {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json' } })
  return { status: response.status, body: (await response.json()) as T }
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tidings-node-service-'))
})

afterAll(() => {
  service?.kill('SIGKILL')
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

describe('the node-service example', () => {
  it('refuses an invalid order, naming each bad field', async () => {
    const url = await startService(0)
    const { status, body } = await json(`${url}/orders`, {
      method: 'POST', body: JSON.stringify({ customer: 'nobody', items: [{ sku: 'TEA-001', qty: 0 }] }),
    })
    expect(status).toBe(400)
    expect(body.details).toEqual([
      { path: 'customer', message: expect.stringContaining('email') },
      { path: 'items.0.qty', message: expect.any(String) },
    ])
    expect(await stopService()).toBe(0)
  })

  it('dead-letters a payment that keeps failing, keeps it across a restart and retries it', async () => {
    // Packing slower than the test: the order's events end at its payment.
    let url = await startService(1, 60_000)
    const placed = await json(`${url}/orders`, {
      method: 'POST', body: JSON.stringify({ customer: 'ada@example.com', items: [{ sku: 'MUG-001', qty: 2 }] }),
    })
    expect(placed).toMatchObject({ status: 202, body: { total: 28 } })
    const orderId = placed.body.orderId as string
    await expect.poll(async () => (await json<OrderStatus>(`${url}/orders/${orderId}`)).body.status, { timeout: 5_000 }).toBe('stuck')
    expect(await stopService()).toBe(0)

    url = await startService(0, 60_000)
    const letters = (await json<DeadLetter[]>(`${url}/dead-letters`)).body
    expect(letters).toEqual([expect.objectContaining({ type: 'order.reserved', correlationid: orderId, subscription: 'charge-payment', attempts: 2 })])
    const retried = await json(`${url}/dead-letters/${encodeURIComponent(letters[0]!.id)}/retry`, { method: 'POST' })
    expect(retried.body).toEqual({ succeeded: [letters[0]!.id], failed: [] })
    const order = (await json<OrderStatus>(`${url}/orders/${orderId}`)).body
    expect(order.status).toBe('paid')
    expect(order.events.map((e) => e.type))
      .toEqual(['order.placed', 'inventory.reserved', 'order.reserved', 'payment.captured'])
    expect(await stopService()).toBe(0)
  }, 20_000)

  it('pushes an order\'s statuses over SSE, resumes after Last-Event-ID, and ships a payment a page sends up', async () => {
    const url = await startService(0, 50)
    const stream = await connectSse(`${url}/events`, { origin: 'http://127.0.0.1:5173' })
    expect(stream.status).toBe(200)
    // The shop page is served from another port.
    expect(stream.response.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5173')
    const placed = await json(`${url}/orders`, {
      method: 'POST', body: JSON.stringify({ customer: 'ada@example.com', items: [{ sku: 'TEA-001', qty: 1 }] }),
    })
    const orderId = placed.body.orderId as string
    const pushed = (await stream.waitFor(3)).map(({ id, data }) => ({ id, event: JSON.parse(data!) as { type: string; id: string; data: unknown } }))
    // order.placed names the customer: it is not pushed.
    expect(pushed.map(({ event }) => event.type)).toEqual(['order.reserved', 'payment.captured', 'order.shipped'])
    expect(pushed.every(({ id, event }) => id === event.id)).toBe(true)
    expect(pushed[2]!.event).toMatchObject({ correlationid: orderId, causationid: pushed[1]!.id, data: { orderId, parcel: expect.stringMatching(/^PCL-/) } })
    stream.close()

    // A page that reconnects after the reservation gets the rest from the file store.
    const resumed = await connectSse(`${url}/events`, { 'last-event-id': pushed[0]!.id! })
    expect((await resumed.waitFor(2)).map(({ id }) => id)).toEqual([pushed[1]!.id, pushed[2]!.id])
    resumed.close()

    // A page that charged its own order sends the payment up the stream's URL; the service ships it.
    const live = await connectSse(`${url}/events?types=order.shipped`)
    const payment = {
      specversion: '1.0', id: 'page-pay-1', source: '/browser-app/test', type: 'payment.captured', time: new Date().toISOString(),
      dataversion: 1, correlationid: 'ord_page0001', data: { orderId: 'ord_page0001', amount: 8.5, authorization: 'auth_page' },
    }
    const sent = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify([payment]) })
    expect(await sent.json()).toEqual({ accepted: 1 })
    const [shipped] = await live.waitFor(1)
    expect(JSON.parse(shipped!.data!)).toMatchObject({ type: 'order.shipped', causationid: 'page-pay-1', correlationid: 'ord_page0001' })
    expect((await json<OrderStatus>(`${url}/orders/ord_page0001`)).body.status).toBe('shipped')

    // What the page may not send, or a foreign origin, is refused.
    const refused = await fetch(`${url}/events`, { method: 'POST', body: JSON.stringify([{ ...payment, id: 'x', type: 'order.shipped', data: { orderId: 'o', parcel: 'p' } }]) })
    expect(refused.status).toBe(403)
    expect((await fetch(`${url}/events`, { headers: { origin: 'https://elsewhere.example' } })).status).toBe(401)
    live.close()
    // The open stream does not hold the shutdown up.
    const open = await connectSse(`${url}/events`)
    expect(await stopService()).toBe(0)
    open.close()
  }, 20_000)
})
