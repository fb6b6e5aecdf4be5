import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connectDevtools, createBus, defineCatalog, defineEvent, metrics, observe, standard } from '@tidings/core'
import { startDevtoolsHub } from '@tidings/node'
import type { DevtoolsHub } from '@tidings/node'
import type { Browser, Page } from 'playwright'
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { buildDevtoolsPage, launchChromium } from './support/browser'

// A bus that goes away: the page keeps its name, its shared links and its dead letters. Buses
// that disagree on a type, or report errors: the page says so.

const screenshots = process.env.TIDINGS_SHOTS ?? fileURLToPath(new URL('../test-results/devtools-producers', import.meta.url))
const TOKEN = 'producers-e2e-token-0123456789'
const NO_RETRY = { attempts: 0, backoff: { initialMs: 5, factor: 1, maxMs: 5, jitter: 0 } }

function startBus(url: string, name: string, failing: boolean) {
  const bus = createBus({ source: `/${name}` }, standard({ retry: NO_RETRY }))
  bus.on('mail.send', () => {
    if (failing) throw new Error('SMTP server unreachable')
  }, { name: 'smtp' })
  const connection = connectDevtools(bus, { url, WebSocket, name, batchMs: 20, metricsIntervalMs: 100, reconnect: { initialMs: 50, maxMs: 200 } })
  return { bus, connection }
}

let hub: DevtoolsHub
let browser: Browser
let page: Page
let dist: string
let shop: ReturnType<typeof startBus>
let mailer: ReturnType<typeof startBus>

const rows = () => page.locator('[role=option]')
const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), animations: 'disabled' })
const hashParam = (name: string) => new URLSearchParams(new URL(page.url()).hash.slice(1)).get(name)
const setTheme = async (wanted: 'light' | 'dark') => {
  const toggle = page.getByRole('button', { name: /Switch to (dark|light) theme/ })
  if ((await toggle.getAttribute('aria-label')) === `Switch to ${wanted} theme`) await toggle.click()
}
/** A screenshot in each theme; the page is left in the dark one. */
const shotBothThemes = async (name: string) => {
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(theme)
    await shot(`${name}-${theme}`)
  }
}
const sourcesOfRows = async () => [...new Set(await rows().locator('.c-source').allInnerTexts())].sort()

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true })
  dist = await buildDevtoolsPage('devtools-producers')
  hub = await startDevtoolsHub({ port: 0, token: TOKEN, staticDir: dist })
  shop = startBus(hub.url, 'shop-api', false)
  mailer = startBus(hub.url, 'mailer', true)
  await Promise.all([shop.connection.connected, mailer.connection.connected])
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1440, height: 820 } })
  page.setDefaultTimeout(8000)
  await page.goto(hub.url)
  await page.getByText('Live · 2 buses').waitFor()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await shop?.connection.close()
  await mailer?.connection.close()
  await hub?.close()
  if (dist) rmSync(dist, { recursive: true, force: true })
})

describe('devtools page, when a bus goes away', () => {
  it('keeps its name, its #source= link and its dead letters (marked offline) after it disconnects, and across page and hub restarts', async () => {
    shop.bus.emit('mail.send', { to: 'ada@example.com' })
    mailer.bus.emit('mail.send', { to: 'grace@example.com' })
    await rows().filter({ hasText: 'dead-lettered' }).first().waitFor()
    await page.getByLabel('Source').selectOption('mailer')
    expect(hashParam('source')).toBe('mailer')
    expect(await sourcesOfRows()).toEqual(['mailer'])

    await page.getByRole('tab', { name: /^Dead letters/ }).click()
    const entry = page.locator('.dlq-table tbody tr', { hasText: 'mail.send' })
    await entry.waitFor()
    expect(await entry.getByRole('button', { name: 'Retry' }).isEnabled()).toBe(true)

    await mailer.connection.close()
    await page.getByText('Live · 1 bus').waitFor()
    await entry.locator('.badge.offline').waitFor()
    expect(await entry.innerText()).toContain('mailer')
    expect(await entry.getByRole('button', { name: 'Retry' }).isDisabled()).toBe(true)
    expect(await entry.getByRole('button', { name: 'Discard' }).isDisabled()).toBe(true)
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(theme)
      await shot(`1-dlq-offline-1440-${theme}`)
    }
    await page.setViewportSize({ width: 900, height: 700 })
    await shotBothThemes('1-dlq-offline-900')
    await setTheme('light')
    await page.setViewportSize({ width: 1440, height: 820 })

    await page.getByRole('tab', { name: 'Stream' }).click()
    expect(await sourcesOfRows()).toEqual(['mailer'])
    expect(await page.getByLabel('Source').locator('option:checked').innerText()).toBe('mailer (offline)')

    // A page opened later learns the gone bus's name from the hub, and the shared link still selects it.
    await page.reload()
    await page.getByText('Live · 1 bus').waitFor()
    await rows().first().waitFor()
    expect(hashParam('source')).toBe('mailer')
    expect(await sourcesOfRows()).toEqual(['mailer'])
    await page.getByLabel('Source').selectOption('')
    await page.waitForFunction(() => document.querySelectorAll('[role=option]').length === 2)
    expect(await sourcesOfRows()).toEqual(['mailer', 'shop-api'])
    await shot('2-stream-after-reload')

    // The hub restarts (same port and token): the page reconnects and still names what it saw.
    const port = hub.port
    await hub.close()
    hub = await startDevtoolsHub({ port, token: TOKEN, staticDir: dist })
    await page.getByText('Live · 1 bus').waitFor({ timeout: 15_000 })
    await shop.connection.connected
    shop.bus.emit('mail.send', { to: 'edsger@example.com' })
    await page.waitForFunction(() => document.querySelectorAll('[role=option]').length === 3)
    expect(await sourcesOfRows()).toEqual(['mailer', 'shop-api'])
    const shopIds = new Set(hub.producers().map((p) => p.name))
    expect(shopIds).toEqual(new Set(['shop-api']))
    await shot('3-stream-after-hub-restart')
  }, 60_000)
})

describe('devtools page, when buses disagree or fail', () => {
  it('flags a type two buses define differently, and lists the errors buses report (what, which bus, when)', async () => {
    const orders = createBus({ catalog: defineCatalog(defineEvent('order.placed', { schema: v.object({ orderId: v.string() }) })), source: '/orders' }, standard())
    // No dead letters: a failed delivery goes to onError.
    const billing = createBus({
      catalog: defineCatalog(defineEvent('order.placed', { version: 2, schema: v.object({ orderId: v.string(), amount: v.number() }), upcast: { 1: (old) => ({ ...old, amount: 0 }) } })),
      source: '/billing',
    }, observe(), metrics())
    billing.on('order.placed', () => {
      throw new Error('card declined')
    }, { name: 'charge' })
    const connections = [
      connectDevtools(orders, { url: hub.url, WebSocket, name: 'orders', batchMs: 20, metricsIntervalMs: 100 }),
      connectDevtools(billing, { url: hub.url, WebSocket, name: 'billing', batchMs: 20, metricsIntervalMs: 100 }),
    ]
    try {
      await Promise.all(connections.map((c) => c.connected))
      await page.getByText('Live · 3 buses').waitFor()

      await page.getByRole('tab', { name: /^Catalog/ }).click()
      await page.getByRole('status').filter({ hasText: 'defined differently by the connected buses' }).waitFor()
      expect(await page.locator('.catalog .result li').allInnerTexts()).toEqual(['order.placed is defined differently: v1 in orders; v2 in billing'])
      expect(await page.locator('.badge.conflict').count()).toBe(2)
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(theme)
        await shot(`4-catalog-conflict-1440-${theme}`)
      }
      await setTheme('light')

      const before = Date.now()
      billing.emit('order.placed', { orderId: 'B-1', amount: 12 })
      await page.getByRole('tab', { name: /^Errors/ }).click()
      const row = page.locator('.errors-table tbody tr', { hasText: 'card declined' })
      await row.waitFor()
      const cells = await row.locator('td').allInnerTexts()
      expect(cells.slice(1, 3)).toEqual(['billing', 'E_HANDLER'])
      const shown = new Date(`${new Date().toDateString()} ${cells[0]}`).getTime()
      expect(Math.abs(shown - before)).toBeLessThan(60_000)
      expect(await page.getByRole('tab', { name: /^Errors/ }).innerText()).toMatch(/Errors\s*1/)
      await row.click()
      await page.locator('.errors-table pre', { hasText: 'card declined' }).waitFor()
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(theme)
        await shot(`5-errors-1440-${theme}`)
      }
      await page.setViewportSize({ width: 900, height: 700 })
      // A long message and its stack wrap or are cut: nothing scrolls sideways.
      expect(await page.locator('main').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true)
      await shotBothThemes('5-errors-900')
      await page.getByRole('tab', { name: /^Catalog/ }).click()
      await shotBothThemes('4-catalog-conflict-900')
      await setTheme('light')
      await page.setViewportSize({ width: 1440, height: 820 })
    } finally {
      await Promise.all(connections.map((c) => c.close()))
    }
  }, 30_000)
})
