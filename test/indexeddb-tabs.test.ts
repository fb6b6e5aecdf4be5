import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, BrowserContext, Page } from 'playwright'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { createBus, standard } from '@tidings/core'
import type { indexedDBStore } from '@tidings/core/indexeddb'
import { launchChromium } from './support/browser'

declare global {
  interface Window {
    tidings: { createBus: typeof createBus; indexedDBStore: typeof indexedDBStore; standard: typeof standard }
  }
}

const repo = fileURLToPath(new URL('..', import.meta.url))

let server: Server
let url: string
let browser: Browser
let context: BrowserContext

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./indexeddb-tabs.page.ts', import.meta.url))],
    bundle: true, format: 'esm', target: 'es2022', write: false, logLevel: 'error',
    absWorkingDir: repo, tsconfig: `${repo}/tsconfig.json`,
  })
  const script = bundle.outputFiles[0]!.text
  server = createServer((req, res) => {
    if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/app.js"></script>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  browser = await launchChromium()
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => server?.close(resolve))
})

beforeEach(async () => {
  // A fresh profile per test: empty IndexedDB, no quota override left behind.
  context = await browser.newContext()
})

afterEach(async () => {
  await context.close()
})

const openTab = async (): Promise<Page> => {
  const page = await context.newPage()
  await page.goto(url)
  await page.waitForFunction(() => 'tidings' in window)
  return page
}

describe('indexedDBStore() in real tabs', () => {
  it('two tabs appending to one database at once never share or reuse a position', async () => {
    const tabs = [await openTab(), await openTab()]
    // Each tab has its own connection; both start at the same moment and append a batch per task.
    const startAt = Date.now() + 500
    const written = await Promise.all(tabs.map((tab, t) => tab.evaluate(async ({ t, startAt }) => {
      const store = window.tidings.indexedDBStore({ name: 'shop' })
      await store.ready
      const bus = window.tidings.createBus({ source: `/tab-${t}` })
      const ids: string[] = []
      const appends: Promise<void>[] = []
      await new Promise((r) => setTimeout(r, startAt - Date.now()))
      for (let i = 0; i < 40; i++) {
        const batch = [0, 1, 2].map((j) => bus.emit('order.placed', { t, i, j }))
        ids.push(...batch.map((e) => e.id))
        appends.push(store.append(batch))
        await new Promise((r) => setTimeout(r, 1))
      }
      await Promise.all(appends)
      await store.close()
      return ids
    }, { t, startAt })))
    const records = await tabs[0]!.evaluate(async () => {
      const store = window.tidings.indexedDBStore({ name: 'shop' })
      const out: Array<{ position: number; id: string }> = []
      for await (const r of store.read()) out.push({ position: r.position, id: r.envelope.id })
      await store.close()
      return out
    })
    expect(records).toHaveLength(240)
    for (let i = 1; i < records.length; i++) expect(records[i]!.position).toBeGreaterThan(records[i - 1]!.position)
    const ids = records.map((r) => r.id)
    for (const tab of written) expect(ids.filter((id) => tab.includes(id))).toEqual(tab)
    // The tabs' writes did overlap: the log goes from one tab to the other and back at least once
    // (many times on a quiet machine; a loaded one may run most of a tab's writes in one go).
    let switches = 0
    for (let i = 1; i < ids.length; i++) if (written[0]!.includes(ids[i]!) !== written[0]!.includes(ids[i - 1]!)) switches++
    expect(switches).toBeGreaterThan(1)
  })

  it('a reloaded page finds its history and dead letters intact', async () => {
    const page = await openTab()
    const before = await page.evaluate(async () => {
      const bus = window.tidings.createBus({ source: '/shop', store: window.tidings.indexedDBStore({ name: 'shop' }) }, window.tidings.standard({ retry: { attempts: 0 } }))
      bus.on('mail.send', () => {
        throw new Error('SMTP down')
      }, { name: 'smtp' })
      bus.emit('order.placed', { orderId: 'A-1' })
      bus.emit('mail.send', { to: 'ada@example.com' })
      bus.emit('order.placed', { orderId: 'A-2' })
      await bus.flush()
      return { history: (await bus.history()).map((e) => e.id), dlq: JSON.parse(JSON.stringify(await bus.dlq.list())) as unknown[] }
    })
    expect(before.history).toHaveLength(3)
    expect(before.dlq).toHaveLength(1)
    await page.reload()
    await page.waitForFunction(() => 'tidings' in window)
    const after = await page.evaluate(async () => {
      const bus = window.tidings.createBus({ source: '/shop', store: window.tidings.indexedDBStore({ name: 'shop' }) }, window.tidings.standard())
      await bus.ready
      return { history: (await bus.history()).map((e) => e.id), dlq: JSON.parse(JSON.stringify(await bus.dlq.list())) as unknown[] }
    })
    expect(after.history).toEqual(before.history)
    expect(after.dlq).toEqual(before.dlq)
    expect(after.dlq[0]).toMatchObject({ subscription: 'smtp', error: { message: 'SMTP down' }, envelope: { type: 'mail.send', data: { to: 'ada@example.com' } } })
  })

  it('keeps events through a real QuotaExceededError and writes them once space is freed', async () => {
    const page = await context.newPage()
    const session = await context.newCDPSession(page)
    const origin = new URL(url).origin
    // Set before the page touches IndexedDB: Chromium applies a quota override to storage opened after it.
    await session.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 })
    await page.goto(url)
    await page.waitForFunction(() => 'tidings' in window)
    const blocked = await page.evaluate(async () => {
      const store = window.tidings.indexedDBStore({ name: 'full' })
      const bus = window.tidings.createBus({ source: '/full' })
      const errors: string[] = []
      store.onError!((error) => errors.push(error.code))
      const state = { written: false, errors }
      const events = Array.from({ length: 20 }, (_, i) => bus.emit('order.placed', { i, pad: 'x'.repeat(2000) }))
      Object.assign(window, { store, state, ids: events.map((e) => e.id) })
      void store.append(events).then(() => (state.written = true))
      while (errors.length === 0) await new Promise((r) => setTimeout(r, 10))
      return { ...state }
    })
    expect(blocked).toEqual({ written: false, errors: ['E_STORAGE_QUOTA'] })
    await session.send('Storage.overrideQuotaForOrigin', { origin })
    const result = await page.evaluate(async () => {
      const { store, state, ids } = window as unknown as { store: ReturnType<typeof indexedDBStore>; state: { written: boolean }; ids: string[] }
      while (!state.written) await new Promise((r) => setTimeout(r, 10))
      const read: string[] = []
      for await (const r of store.read()) read.push(r.envelope.id)
      return { read, ids }
    })
    expect(result.read).toEqual(result.ids)
  })
})
