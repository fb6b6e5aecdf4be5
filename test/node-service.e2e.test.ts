import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
// The example as users run it, against the built packages: scripts/setup.mjs builds both (npm test runs it first).
const main = join(root, 'examples/node-service/dist/main.js')

let dataDir: string
let service: ChildProcess | undefined

/** Starts the service on a free port; resolves with its base URL once it listens. */
const startService = async (paymentFailureRate: number): Promise<string> => {
  service = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, PAYMENT_FAILURE_RATE: String(paymentFailureRate) },
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
    let url = await startService(1)
    const placed = await json(`${url}/orders`, {
      method: 'POST', body: JSON.stringify({ customer: 'ada@example.com', items: [{ sku: 'MUG-001', qty: 2 }] }),
    })
    expect(placed).toMatchObject({ status: 202, body: { total: 28 } })
    const orderId = placed.body.orderId as string
    await expect.poll(async () => (await json<OrderStatus>(`${url}/orders/${orderId}`)).body.status, { timeout: 5_000 }).toBe('stuck')
    expect(await stopService()).toBe(0)

    url = await startService(0)
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
})
