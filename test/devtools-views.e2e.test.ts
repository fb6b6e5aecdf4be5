import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { causedBy, connectDevtools, createBus, defineCatalog, defineEvent, standard } from '@tidings/core'
import type { CloudEventJSON, DevtoolsConnection } from '@tidings/core'
import { startDevtoolsHub } from '@tidings/node'
import type { DevtoolsHub } from '@tidings/node'
import type { Browser, Page } from 'playwright'
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { pageHelpers } from './devtools-session'
import { buildDevtoolsPage, launchChromium } from './support/browser'

// The views that show what happened to one event and one operation across buses: import into a
// live page, the charts' shared time axis, the handler waterfall and the causation sequence diagram.

const screenshots = process.env.TIDINGS_SHOTS ?? fileURLToPath(new URL('../test-results/devtools-views', import.meta.url))

const catalog = defineCatalog(
  defineEvent('order.placed', { schema: v.object({ orderId: v.string(), lines: v.number() }) }),
  defineEvent('order.accepted', { schema: v.object({ orderId: v.string() }) }),
  defineEvent('stock.reserved', { schema: v.object({ orderId: v.string(), line: v.number() }) }),
  defineEvent('mail.send', { schema: v.object({ to: v.string(), line: v.number() }) }),
  defineEvent('audit.noted', { schema: v.object({ what: v.string() }) }),
)
type Bus = ReturnType<typeof busOf>
const busOf = (source: string, attempts = 0) =>
  createBus({ catalog, source }, standard({ retry: { attempts, backoff: { initialMs: 5, factor: 1, maxMs: 5, jitter: 0 } } }))

/**
 * A browser app, an orders service and a mail service, each its own bus connected to the hub: the
 * app hands an order to the orders service, which reserves each line and has each one mailed.
 */
function startShop(url: string) {
  const web = busOf('/web')
  const orders = busOf('/orders')
  const mail = busOf('/mail', 1)
  const shop = { web, orders, mail, mailUp: false, mailed: [] as unknown[], connections: [] as DevtoolsConnection[] }
  web.on('order.placed', (data, envelope) => void orders.emit('order.accepted', { orderId: data.orderId }, causedBy(envelope)), { name: 'forward' })
  web.on('order.placed', () => {}, { name: 'analytics' })
  orders.on('order.accepted', (data, envelope) => {
    const lines = (envelope.data as { lines?: number }).lines ?? LINES.get(data.orderId) ?? 1
    for (let line = 1; line <= lines; line++) orders.emit('stock.reserved', { orderId: data.orderId, line }, causedBy(envelope))
  }, { name: 'reserve' })
  orders.on('stock.reserved', (data, envelope) => void mail.emit('mail.send', { to: `${data.orderId}@example.com`, line: data.line }, causedBy(envelope)), { name: 'notify' })
  mail.on('mail.send', (data) => {
    if (!shop.mailUp) throw new Error('SMTP server unreachable')
    shop.mailed.push(data)
  }, { name: 'smtp' })
  for (const [bus, name] of [[web, 'browser-app'], [orders, 'orders-service'], [mail, 'mail-service']] as Array<[Bus, string]>) {
    shop.connections.push(connectDevtools(bus, { url, WebSocket, name, batchMs: 20, metricsIntervalMs: 250 }))
  }
  return shop
}
const LINES = new Map<string, number>()
const placeOrder = (orderId: string, lines: number) => {
  LINES.set(orderId, lines)
  return shop.web.emit('order.placed', { orderId, lines })
}

let hub: DevtoolsHub
let shop: ReturnType<typeof startShop>
let browser: Browser
let page: Page
let dist: string
const { waitUntil, settled, setTheme, shotEverywhere } = pageHelpers(() => page, screenshots)
const rows = () => page.locator('[role=option]')
const detail = () => page.getByLabel('Event detail')
const search = async (text: string) => {
  await page.getByLabel('Search payloads').fill(text)
  await page.getByLabel('Search payloads').press('Enter')
  await settled()
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true })
  dist = await buildDevtoolsPage('devtools-views')
  hub = await startDevtoolsHub({ port: 0, staticDir: dist })
  shop = startShop(hub.url)
  await Promise.all(shop.connections.map((c) => c.connected))
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1440, height: 820 }, permissions: ['clipboard-read', 'clipboard-write'] })
  page.setDefaultTimeout(5000)
  await page.goto(hub.url)
  await page.getByText('Live · 3 buses').waitFor()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  for (const c of shop?.connections ?? []) await c.close()
  await hub?.close()
  if (dist) rmSync(dist, { recursive: true, force: true })
})

describe('devtools views of one event and one operation', () => {
  it('imports a session file into the live page in time order, marks what it added, and counts the duplicates', async () => {
    const live = []
    for (const n of [1, 2, 3]) {
      live.push(shop.web.emit('audit.noted', { what: `live ${n}` }))
      // Far apart: on a loaded machine the bus may note an event some milliseconds after stamping its time.
      await new Promise((r) => setTimeout(r, 150))
    }
    await search('live')
    await waitUntil('the live events are listed', async () => (await rows().count()) === 3)
    const time = (env: { time?: string }, shiftMs: number) => new Date(Date.parse(env.time!) + shiftMs).toISOString()
    const line = (what: string, at: string) => JSON.stringify({ specversion: '1.0', id: `file-${what}`, source: '/old', type: 'audit.noted', time: at, data: { what: `live ${what}` } })
    const file = join(dist, 'earlier.ndjson')
    writeFileSync(file, [
      line('before everything', time(live[0]!, -60_000)),
      line('between 2 and 3', time(live[1]!, 75)),
      JSON.stringify(live[2]!.toJSON() as CloudEventJSON),
    ].join('\n'))
    await page.locator('input[type=file]').setInputFiles(file)
    await page.getByText('Imported 2 new events from earlier.ndjson; 1 was a duplicate of events already shown').waitFor()
    await waitUntil('the imported events are listed', async () => (await rows().count()) === 5)
    const listed = await rows().evaluateAll((els) => els.map((el) => ({
      what: el.querySelector('.c-source')!.textContent!, imported: el.classList.contains('imported'), seq: Number(el.getAttribute('data-seq')),
    })).sort((a, b) => a.seq - b.seq))
    expect(listed.map((r) => r.imported)).toEqual([true, false, false, true, false])
    expect(listed.filter((r) => r.imported).every((r) => r.what.startsWith('⤓'))).toBe(true)
    await rows().first().click()
    await detail().locator('.badge', { hasText: 'imported' }).waitFor()
    await shotEverywhere('1-imported')
    await search('')
    await page.keyboard.press('Escape')
  }, 30_000)

  it('charts events and dead-letter depth on one time axis, and says why delivered differs from emitted', async () => {
    for (let n = 0; n < 3; n++) placeOrder(`C-${n}`, 1)
    await page.getByRole('tab', { name: 'Charts' }).click()
    const notes = page.getByLabel('Why delivered differs from emitted')
    await notes.getByText(/order\.placed: \d+ delivered for \d+ emitted: each event goes to its 2 subscriptions here/).waitFor({ timeout: 8000 })
    await notes.getByText(/mail\.send: .*dead-lettered/).waitFor()
    await waitUntil('both charts have data', async () => (await page.locator('.chart canvas').count()) === 2)
    // Hovering a second on the events chart shows the same second on the dead-letter chart.
    const [events, dlq] = [page.locator('.chart').nth(0), page.locator('.chart').nth(1)]
    const box = (await events.locator('.u-over').boundingBox())!
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2)
    await settled()
    const when = (chart: typeof events) => chart.locator('.u-legend .u-series').first().locator('.u-value').innerText()
    expect(await when(events)).not.toBe('--')
    expect(await when(dlq)).toBe(await when(events))
    await shotEverywhere('2-charts', 1100)
    await page.getByRole('tab', { name: 'Stream' }).click()
  }, 30_000)

  it('draws a handler waterfall for one event: tries, backoff and the dead-letter hop, each reachable with Tab', async () => {
    placeOrder('W-1', 1)
    await search('W-1@example.com')
    await waitUntil('the mail is dead-lettered', async () => (await rows().filter({ hasText: 'dead-lettered' }).count()) === 1)
    await rows().first().click()
    const smtp = detail().getByRole('group', { name: 'smtp tries' })
    await smtp.waitFor()
    const spans = await smtp.getByRole('button').evaluateAll((els) => els.map((el) => el.className.replace('span ', '')))
    // Waiting before the first try shows only when it lasted a millisecond or more.
    expect(spans.filter((s) => s !== 'span-wait')).toEqual(['span-run span-failed', 'span-backoff', 'span-run span-failed', 'span-dead-letter'])
    await smtp.getByRole('button').first().focus()
    const caption = detail().locator('.waterfall-caption')
    const seen: string[] = []
    for (let i = 0; i < spans.length; i++) {
      seen.push(await caption.innerText())
      await page.keyboard.press('Tab')
    }
    expect(seen.join('\n')).toMatch(/smtp: attempt 1: failed in [\d.]+ ms, (at the emit|[\d.]+ ms after the emit)[\s\S]*smtp: backoff [\d.]+ ms before the next try[\s\S]*smtp: attempt 2: failed[\s\S]*smtp: dead-lettered/)
    await shotEverywhere('3-waterfall')
    await search('')
  }, 30_000)

  it('draws an operation of 200 events across three buses as a sequence diagram, walked with the keyboard', async () => {
    const order = placeOrder('S-1', 99)
    await page.getByRole('tab', { name: 'Sequence' }).click()
    const select = page.getByLabel('Operation')
    await waitUntil('the operation has all its events', async () => (await select.locator('option', { hasText: '200 events' }).count()) === 1, 10_000)
    await select.selectOption({ label: (await select.locator('option', { hasText: '200 events' }).innerText()).trim() })
    expect(new URL(page.url()).hash).toContain(`op=${order.id}`)
    const summary = page.getByTestId('sequence-summary')
    await summary.getByText(/^200 events · 3 buses · drawn in \d+ ms$/).waitFor()
    console.log(`sequence diagram of 200 events: ${await summary.innerText()}`)

    expect(await page.locator('.seq-lane-head').allInnerTexts()).toEqual(['browser-app', 'orders-service', 'mail-service'])
    // Only the rows near the visible part are drawn; End walks to the last event, drawn once scrolled to.
    expect(await page.locator('.seq-node').count()).toBeLessThan(200)
    // Arrows from causes to effects: along a lane's rail, or across lanes (the forward to the orders service).
    const causes = await page.locator('path.seq-cause').evaluateAll((paths) => paths.map((p) => p.getAttribute('d')!))
    expect(causes.some((d) => / L/.test(d))).toBe(true)
    expect(causes.some((d) => / H.* V/.test(d))).toBe(true)
    const first = page.locator('.seq-node').first()
    expect(await first.getAttribute('aria-label')).toMatch(/^order\.placed on browser-app at .*; handled by forward on browser-app: delivered; analytics on browser-app: delivered$/)
    await page.locator('.seq-handler-label.bad', { hasText: 'smtp' }).first().waitFor()
    await shotEverywhere('4-sequence')

    await first.focus()
    await page.keyboard.press('End')
    await waitUntil('the last event has the focus', async () => (await page.evaluate(() => document.activeElement?.getAttribute('data-row'))) === '199')
    await page.keyboard.press('Home')
    await waitUntil('the first event has the focus again', async () => (await page.evaluate(() => document.activeElement?.getAttribute('data-row'))) === '0')
    await page.keyboard.press('ArrowDown')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^order\.accepted on orders-service .*caused by order\.placed/)
    await page.keyboard.press('Enter')
    await page.getByRole('tab', { name: 'Stream', selected: true }).waitFor()
    expect(await detail().locator('.detail-head h2').innerText()).toBe('order.accepted')
    await detail().getByRole('button', { name: 'sequence diagram' }).click()
    await page.getByRole('tab', { name: 'Sequence', selected: true }).waitFor()
    expect(await select.inputValue()).toBe(order.id)
    await page.getByRole('tab', { name: 'Stream' }).click()
  }, 40_000)

  it('shows where each event was emitted: the call site the emitting bus captured while the page was connected', async () => {
    placeOrder('W-2', 1)
    await search('W-2')
    await waitUntil('the order and its chain are listed', async () => (await rows().count()) >= 3)
    await rows().filter({ hasText: 'order.placed' }).first().click()
    const site = detail().locator('tr', { hasText: 'emitted at' }).locator('td')
    expect(await site.innerText()).toMatch(/^placeOrder \(.*devtools-views\.e2e\.test\.ts:\d+:\d+\)$/)
    // An event a handler emitted was emitted in that handler, on the other bus.
    await page.keyboard.press('ArrowDown')
    await waitUntil('the next event is shown', async () => (await detail().locator('.detail-head h2').innerText()) !== 'order.placed')
    expect(await detail().locator('tr', { hasText: 'emitted at' }).locator('td').innerText()).toMatch(/devtools-views\.e2e\.test\.ts:\d+:\d+/)
    await search('')
  }, 30_000)

  it('lists who subscribes to each type in which bus, with its retry policy and outcomes, and opens a type\'s events', async () => {
    await page.getByRole('tab', { name: 'Subscribers' }).click()
    const table = page.locator('table.subscribers-table')
    const row = (name: string) => table.locator('tr', { has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${name}`) }) })
    await row('smtp').waitFor()
    const cells = async (name: string) => (await row(name).locator('td').allInnerTexts()).map((t) => t.trim())
    expect((await cells('smtp')).slice(0, 4)).toEqual(['mail.send', 'smtpnamed', 'mail-service', '1 retry from 5 ms ×1, up to 5 ms'])
    expect(Number((await cells('smtp'))[6])).toBeGreaterThan(0)
    expect((await cells('forward')).slice(0, 4)).toEqual(['order.placed', 'forwardnamed', 'browser-app', 'no retries'])
    expect(Number((await cells('analytics'))[4])).toBeGreaterThan(0)
    await shotEverywhere('5-subscribers')
    await page.getByLabel('Filter subscriptions').fill('smtp')
    expect(await table.locator('tbody tr').count()).toBe(1)
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('mail.send')
    await page.keyboard.press('Enter')
    await page.getByRole('tab', { name: 'Stream', selected: true }).waitFor()
    expect(await page.getByPlaceholder('type: order.* or text').inputValue()).toBe('mail.send')
    await page.getByPlaceholder('type: order.* or text').fill('')
    await page.getByPlaceholder('type: order.* or text').press('Enter')
  }, 30_000)

  it('replays a dead-lettered event, edited, into its one subscription and shows the new outcome beside the old one', async () => {
    placeOrder('R-1', 1)
    await search('R-1@example.com')
    await waitUntil('the mail is dead-lettered', async () => (await rows().filter({ hasText: 'dead-lettered' }).count()) === 1)
    await rows().first().click()
    const smtp = detail().locator('.delivery', { hasText: 'smtp' })
    await smtp.getByRole('button', { name: 'Replay…' }).click()
    const editor = smtp.getByRole('group', { name: 'Replay into smtp' })
    const payload = editor.getByRole('textbox')
    expect(JSON.parse(await payload.inputValue())).toEqual({ to: 'R-1@example.com', line: 1 })
    await payload.fill(JSON.stringify({ to: 'R-1@example.com', line: 42 }, null, 2))
    shop.mailUp = true
    await payload.press('Control+Enter')
    const outcome = editor.locator('.replay-compare')
    await outcome.getByText('delivered').waitFor()
    expect(await outcome.innerText()).toMatch(/before: dead-lettered\s+replay \(attempt 3\): delivered/)
    expect(await editor.getByLabel('What the edit changed').innerText()).toBe('line 1 → 42')
    expect(shop.mailed).toEqual([{ to: 'R-1@example.com', line: 42 }])
    // The replay is beside the delivery, not part of it: the dead letter is still there to retry.
    await smtp.locator('.tries li', { hasText: 'replay, attempt 3: delivered' }).waitFor()
    expect(await smtp.locator('.delivery-head .badge').innerText()).toBe('dead-lettered')
    expect(await smtp.getByRole('button', { name: 'Retry delivery' }).isVisible()).toBe(true)
    expect(await shop.mail.dlq.size()).toBeGreaterThan(0)
    await shotEverywhere('6-replay')
    shop.mailUp = false
  }, 30_000)

  it('copies an event as a typed emit snippet and an operation as a vitest test', async () => {
    placeOrder('E-1', 1)
    await search('E-1@example.com')
    await waitUntil('the mail is listed', async () => (await rows().count()) === 1)
    await rows().first().click()
    const copy = detail().getByRole('button', { name: 'Copy emit(…) snippet' })
    await copy.focus()
    await page.keyboard.press('Enter')
    const snippet = (await detail().getByLabel('emit(…) snippet').innerText()).trimEnd()
    expect(snippet).toMatch(/^\/\/ "mail\.send" v1 of the catalog: TypeScript checks the payload against its schema\.\nbus\.emit\('mail\.send', \{\n  "to": "E-1@example\.com",\n  "line": 1\n\}, \{ correlationid: '[^']+', causationid: '[^']+' \}\)$/)
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${snippet}\n`)
    await search('')
    await page.keyboard.press('Escape')

    placeOrder('T-1', 2)
    await page.getByRole('tab', { name: 'Sequence' }).click()
    const select = page.getByLabel('Operation')
    // Under load the last mail.send can reach the page seconds after the order.
    await waitUntil('the order is listed', async () => (await select.locator('option', { hasText: '6 events' }).count()) > 0, 25_000)
    await select.selectOption({ label: (await select.locator('option', { hasText: '6 events' }).first().innerText()).trim() })
    // The README's picture: an order from the browser app through two services.
    await page.setViewportSize({ width: 1440, height: 760 })
    await setTheme('light')
    await settled()
    await page.screenshot({ path: join(screenshots, 'readme-sequence.png'), clip: { x: 0, y: 0, width: 1100, height: 500 }, animations: 'disabled' })
    await page.setViewportSize({ width: 1440, height: 820 })
    await page.getByRole('button', { name: 'Copy operation as a vitest test' }).click()
    const test = (await page.getByLabel('operation as a vitest test').innerText()).trimEnd()
    expect(test).toContain("it('order.placed leads to order.placed, order.accepted, 2 × stock.reserved, 2 × mail.send', async () => {")
    expect(test).toContain("  bus.emit('order.placed', {\n    \"orderId\": \"T-1\",\n    \"lines\": 2\n  })")
    expect(test).toContain('//   orders-service: order.accepted, stock.reserved ×2')
    expect(test).toContain('  expect(await bus.dlq.size()).toBe(2)')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${test}\n`)
    await shotEverywhere('7-copy-test')
    await page.getByRole('tab', { name: 'Stream' }).click()
  }, 45_000)
})
