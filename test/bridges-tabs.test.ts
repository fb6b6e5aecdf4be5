import type { Server } from 'node:http'
import type { Browser, BrowserContext, Page } from 'playwright'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Seen, shop } from './bridges-shop'
import { launchChromium } from './support/browser'
import { serveBridgesPage } from './support/bridges-server'

type Shop = ReturnType<typeof shop>
declare global {
  interface Window {
    bridgesTest: typeof import('./bridges.page').bridgesTest
    app: Shop
  }
}

let server: Server
let url: string
let browser: Browser
let context: BrowserContext

beforeAll(async () => {
  ;({ url, server } = await serveBridgesPage())
  browser = await launchChromium()
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => server?.close(resolve))
})

beforeEach(async () => {
  // A fresh profile per test: an empty IndexedDB log, no cursor, no lock.
  context = await browser.newContext()
})

afterEach(async () => {
  await context.close()
})

/** A tab running the shop: `shared` tabs share the IndexedDB log; `fulfilMs` subscribes "fulfil". */
const openTab = async (name: string, options: { shared?: boolean; fulfilMs?: number } = {}): Promise<Page> => {
  const page = await context.newPage()
  await page.goto(url)
  await page.waitForFunction(() => 'bridgesTest' in window)
  await page.evaluate(({ name, shared, fulfilMs }) => {
    const t = window.bridgesTest
    window.app = t.tab(name, shared)
    if (fulfilMs !== undefined) t.fulfil(window.app, name, fulfilMs)
  }, { name, shared: options.shared ?? false, fulfilMs: options.fulfilMs })
  return page
}

const seen = (page: Page): Promise<Seen[]> => page.evaluate(() => window.app.seen)

const placeOrders = (page: Page, ids: string[]) =>
  page.evaluate((ids) => ids.map((orderId) => window.app.bus.emit('order.placed', { orderId }).id), ids)

/** Waits until `page` has seen every order in `ids` handled; returns who handled each, in order. */
const handled = async (page: Page, ids: string[], timeout = 10_000) => {
  await page.waitForFunction((ids) => ids.every((id) => window.app.seen.some((s) => s.type === 'order.handled' && (s.data as { orderId: string }).orderId === id)), ids, { timeout })
  return (await seen(page)).filter((s) => s.type === 'order.handled').map((s) => s.data as { orderId: string; by: string })
}

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`)

describe('broadcastChannelBridge() across real tabs', () => {
  it('delivers an event to every tab once, never back to its sender, and a reply keeps its correlation and causation', async () => {
    const a = await openTab('a')
    const b = await openTab('b')
    await b.evaluate(() => void window.app.bus.on('order.placed', (d) => void window.app.bus.emit('order.totaled', { orderId: d.orderId, total: 30 })))
    const placed = await a.evaluate(() => window.app.bus.emit('order.placed', { orderId: 'A-1' }, { correlationid: 'checkout-1' }).id)
    await a.waitForFunction(() => window.app.seen.some((s) => s.type === 'order.totaled'))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const inA = await seen(a)
    const inB = await seen(b)
    expect(inA.map((s) => s.type)).toEqual(['order.placed', 'order.totaled'])
    expect(inA[1]).toMatchObject({ source: '/b', causationid: placed, correlationid: 'checkout-1', data: { orderId: 'A-1', total: 30 } })
    // B's own handler replies before its '*' subscription sees the order (specific handlers run first).
    expect(inB.map((s) => [s.type, s.id])).toEqual([['order.totaled', inA[1]!.id], ['order.placed', placed]])
    expect(inB[1]).toMatchObject({ source: '/a', correlationid: 'checkout-1' })
  }, 20_000)

  it('reports an event that does not match the local catalog (onError), and does not deliver it', async () => {
    const b = await openTab('b')
    const old = await context.newPage()
    await old.goto(url)
    await old.waitForFunction(() => 'bridgesTest' in window)
    // A tab still running an older release: untyped, its order.placed has another shape.
    await old.evaluate(() => {
      const t = window.bridgesTest
      const bus = t.createBus({ source: '/old' }, t.transport(t.bridges.broadcastChannelBridge('shop')), t.deadLetters())
      bus.emit('order.placed', { id: 7 })
    })
    await b.waitForFunction(() => window.app.errors.length > 0)
    const errors = await b.evaluate(() => window.app.errors)
    expect(errors).toHaveLength(1)
    expect(errors[0]!.code).toBe('E_VALIDATION')
    expect(errors[0]!.message).toContain("does not match this bus's catalog")
    expect(await seen(b)).toEqual([])
  }, 20_000)

  it('runs a named subscription in one tab only, whichever tab emits', async () => {
    const tabs = [await openTab('a', { shared: true, fulfilMs: 1 }), await openTab('b', { shared: true, fulfilMs: 1 }), await openTab('c', { shared: true, fulfilMs: 1 })]
    const ids = range('O', 9)
    for (const [i, t] of tabs.entries()) await placeOrders(t, ids.slice(i * 3, i * 3 + 3))
    const byWho = await handled(tabs[1]!, ids)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const all = (await seen(tabs[2]!)).filter((s) => s.type === 'order.handled').map((s) => s.data as { orderId: string; by: string })
    expect(all.map((h) => h.orderId).sort()).toEqual([...ids].sort())
    expect(new Set(all.map((h) => h.by))).toEqual(new Set(['a']))
    expect(byWho).toHaveLength(9)
  }, 20_000)

  for (const how of ['closes', 'crashes'] as const) {
    it(`hands a named subscription over within a second when the leading tab ${how}, losing nothing it had accepted`, async () => {
      // The leader takes 600 ms per order and goes 200 ms into its third: that order was accepted, not finished.
      const leader = await openTab('a', { shared: true, fulfilMs: 600 })
      const next = await openTab('b', { shared: true, fulfilMs: 10 })
      const ids = range('P', 8)
      await placeOrders(next, ids)
      await leader.waitForFunction(() => window.app.seen.filter((s) => s.type === 'order.handled').length >= 2)
      await new Promise((resolve) => setTimeout(resolve, 200))
      const goneAt = Date.now()
      if (how === 'closes') await leader.close()
      else {
        const cdp = await context.newCDPSession(leader)
        void cdp.send('Page.crash').catch(() => {})
      }
      const after = await handled(next, ids)
      const byB = (await seen(next)).filter((s) => s.type === 'order.handled' && (s.data as { by: string }).by === 'b')
      expect(byB.length).toBeGreaterThan(0)
      // The first order B handled was emitted (by its 10 ms handler) within a second of the leader going.
      expect(Date.parse(byB[0]!.time) - goneAt).toBeLessThan(1000)
      // Every order handled at least once; only the one the leader was in the middle of may run twice.
      expect(new Set(after.map((h) => h.orderId))).toEqual(new Set(ids))
      expect(after.length).toBeLessThanOrEqual(ids.length + 1)
    }, 30_000)
  }

  it('keeps handling after the leading tab reloads, each order once', async () => {
    const leader = await openTab('a', { shared: true, fulfilMs: 5 })
    const other = await openTab('b', { shared: true, fulfilMs: 5 })
    await placeOrders(other, ['R-1'])
    await handled(other, ['R-1'])
    await leader.reload()
    await placeOrders(other, ['R-2', 'R-3'])
    const all = await handled(other, ['R-1', 'R-2', 'R-3'])
    expect(all.map((h) => h.orderId).sort()).toEqual(['R-1', 'R-2', 'R-3'])
    expect(all.slice(1).every((h) => h.by === 'b')).toBe(true)
  }, 30_000)

  it('survives a React StrictMode double mount: the first bridge closes, the second leads, each order is handled once', async () => {
    const page = await context.newPage()
    await page.goto(url)
    await page.waitForFunction(() => 'bridgesTest' in window)
    const firstSaw = await page.evaluate(async () => {
      const t = window.bridgesTest
      // Mount, unmount at once, mount again: what StrictMode does to an effect in development.
      const first = t.tab('a', true)
      t.fulfil(first, 'first', 1)
      const closing = first.bus.close()
      window.app = t.tab('a', true)
      t.fulfil(window.app, 'second', 1)
      await closing
      Object.assign(window, { first })
      return first.seen.length
    })
    const other = await openTab('b', { shared: true, fulfilMs: 1 })
    await placeOrders(other, ['S-1', 'S-2'])
    const all = await handled(other, ['S-1', 'S-2'])
    expect(all).toEqual([{ orderId: 'S-1', by: 'second' }, { orderId: 'S-2', by: 'second' }])
    expect(firstSaw).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { first: Shop }).first.seen.length)).toBe(0)
  }, 30_000)
})
