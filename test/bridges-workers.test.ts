import type { Server } from 'node:http'
import type { Browser, BrowserContext, Page } from 'playwright'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createBus, memoryStore } from '@tidings/core'
import { sseEndpoint } from '@tidings/node'
import type { Seen, shop } from './bridges-shop'
import { catalog } from './bridges-shop'
import { launchChromium } from './support/browser'
import { serveBridgesPage } from './support/bridges-server'

declare global {
  interface Window {
    bridgesTest: typeof import('./bridges.page').bridgesTest
    app: ReturnType<typeof shop>
  }
}

// The server side of the eventSourceBridge tests: a bus with a log, streamed at /events.
const store = memoryStore()
const serverBus = createBus({ catalog, source: '/orders-service', store })
const endpoint = sseEndpoint(serverBus, { store, path: '/events', accept: ['cart.*'], retryMs: 100 })

let server: Server
let url: string
let browser: Browser
let context: BrowserContext

beforeAll(async () => {
  ;({ url, server } = await serveBridgesPage((req, res) => {
    if (!req.url?.startsWith('/events')) return false
    endpoint(req, res)
    return true
  }))
  browser = await launchChromium()
}, 30_000)

afterAll(async () => {
  endpoint.close()
  await browser?.close()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

beforeEach(async () => {
  context = await browser.newContext()
})

afterEach(async () => {
  await context.close()
})

const openPage = async (): Promise<Page> => {
  const page = await context.newPage()
  await page.goto(url)
  await page.waitForFunction(() => 'bridgesTest' in window)
  return page
}

const seen = (page: Page): Promise<Seen[]> => page.evaluate(() => window.app.seen)
const waitForType = (page: Page, type: string, count = 1) =>
  page.waitForFunction(({ type, count }) => window.app.seen.filter((s) => s.type === type).length >= count, { type, count })

describe('messagePortBridge() with browser workers', () => {
  it('a dedicated worker gets the page\'s events and its replies come back with their causation', async () => {
    const page = await openPage()
    const placed = await page.evaluate(() => {
      const t = window.bridgesTest
      window.app = t.shop('/page', t.bridges.messagePortBridge(new Worker('/worker.js', { type: 'module' })))
      return window.app.bus.emit('order.placed', { orderId: 'W-123' }, { correlationid: 'checkout-9' }).id
    })
    await waitForType(page, 'order.totaled')
    const events = await seen(page)
    expect(events.map((s) => s.type)).toEqual(['order.placed', 'order.totaled'])
    expect(events[1]).toMatchObject({ source: '/worker', causationid: placed, correlationid: 'checkout-9', data: { orderId: 'W-123', total: 50 } })
  }, 20_000)

  it('refuses data structured clone cannot copy with E_ENCODE, naming the event', async () => {
    const page = await openPage()
    const result = await page.evaluate(() => {
      const t = window.bridgesTest
      // Unvalidated: a validated bus would hand on the schema's output, a plain object.
      window.app = t.shop('/page', t.bridges.messagePortBridge(new Worker('/worker.js', { type: 'module' })), undefined, { validate: false })
      // What Vue's reactive() returns: a Proxy, which JSON can write and structured clone cannot copy.
      const e = window.app.bus.emit('cart.changed', new Proxy({ items: 1 }, {}))
      return { id: e.id, errors: window.app.errors, seenHere: window.app.seen.length }
    })
    expect(result.seenHere).toBe(1)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]!.code).toBe('E_ENCODE')
    expect(result.errors[0]!.message).toContain(result.id)
    expect(result.errors[0]!.message).toContain('structured clone')
  }, 20_000)

  it('a shared worker joins two pages: each sees the other\'s events and the worker\'s replies once', async () => {
    const pages = [await openPage(), await openPage()]
    for (const [i, page] of pages.entries()) {
      await page.evaluate((i) => {
        const t = window.bridgesTest
        const worker = new SharedWorker('/worker.js', { type: 'module', name: 'shared' })
        window.app = t.shop(`/page-${i}`, t.bridges.messagePortBridge(worker.port))
      }, i)
    }
    const placed = await pages[0]!.evaluate(() => window.app.bus.emit('order.placed', { orderId: 'S-1' }).id)
    for (const page of pages) await waitForType(page, 'order.totaled')
    await new Promise((resolve) => setTimeout(resolve, 100))
    const other = await seen(pages[1]!)
    expect(other.map((s) => [s.type, s.source])).toEqual([['order.placed', '/page-0'], ['order.totaled', '/shared-worker']])
    expect(other[0]!.id).toBe(placed)
    expect(other[1]!.causationid).toBe(placed)
    expect((await seen(pages[0]!)).map((s) => s.type)).toEqual(['order.placed', 'order.totaled'])
  }, 20_000)
})

describe('eventSourceBridge() against sseEndpoint()', () => {
  it('streams the server\'s events into the page, and sends the page\'s upstream types to the server once', async () => {
    const page = await openPage()
    await page.evaluate(() => {
      const t = window.bridgesTest
      window.app = t.shop('/page', t.bridges.eventSourceBridge('/events', { upstream: ['cart.*'] }))
      return window.app.bus.ready
    })
    const shipped = serverBus.emit('order.shipped', { orderId: 'E-1' })
    await waitForType(page, 'order.shipped')
    const onServer = new Promise<string>((resolve) => serverBus.once('cart.changed', (_d, e) => resolve(e.id)))
    const cart = await page.evaluate(() => window.app.bus.emit('cart.changed', { items: 4 }).id)
    expect(await onServer).toBe(cart)
    // The server streams it back to every page; this one already had it.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const events = await seen(page)
    expect(events.map((s) => [s.type, s.id])).toEqual([['order.shipped', shipped.id], ['cart.changed', cart]])
    expect(events[0]!.source).toBe('/orders-service')
  }, 20_000)

  it('resumes after the connection drops: events the server stored meanwhile arrive, once', async () => {
    const page = await openPage()
    await page.evaluate(() => {
      const t = window.bridgesTest
      window.app = t.shop('/page', t.bridges.eventSourceBridge('/events'))
      return window.app.bus.ready
    })
    serverBus.emit('order.shipped', { orderId: 'D-1' })
    await waitForType(page, 'order.shipped')
    // The server ends every stream; the browser reconnects with Last-Event-ID.
    endpoint.close()
    const missed = [serverBus.emit('order.shipped', { orderId: 'D-2' }), serverBus.emit('order.shipped', { orderId: 'D-3' })]
    await waitForType(page, 'order.shipped', 3)
    const after = serverBus.emit('order.shipped', { orderId: 'D-4' })
    await waitForType(page, 'order.shipped', 4)
    const ids = (await seen(page)).map((s) => s.id)
    expect(ids.slice(1)).toEqual([...missed, after].map((e) => e.id))
    expect(endpoint.stats().resumed).toBeGreaterThanOrEqual(1)
  }, 20_000)
})
