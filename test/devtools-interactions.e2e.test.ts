import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { causedBy, connectDevtools, createBus, defineCatalog, defineEvent, standard } from '@tidings/core'
import type { DevtoolsConnection } from '@tidings/core'
import { startDevtoolsHub } from '@tidings/node'
import type { DevtoolsHub } from '@tidings/node'
import type { Browser, Locator, Page } from 'playwright'
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { buildDevtoolsPage, launchChromium } from './support/browser'

// What a person does with the page once it is open: scroll and click, retry and discard dead
// letters, hover buttons in both themes, read the charts, narrow the window.

const screenshots = process.env.TIDINGS_SHOTS ?? fileURLToPath(new URL('../test-results/devtools-interactions', import.meta.url))

const catalog = defineCatalog(
  defineEvent('order.placed', { schema: v.object({ orderId: v.string(), customer: v.string() }) }),
  defineEvent('mail.send', { schema: v.object({ to: v.string(), subject: v.string() }) }),
  defineEvent('metrics.tick', { schema: v.object({ n: v.number() }) }),
  // Nothing subscribes to it: its latency was never measured.
  defineEvent('audit.noted', { schema: v.object({ what: v.string() }) }),
)

/** A shop whose mail server is down until the test says otherwise. */
function startShop(url: string) {
  const bus = createBus({ catalog, source: '/shop' }, standard({ retry: { attempts: 1, backoff: { initialMs: 5, factor: 1, maxMs: 5, jitter: 0 } } }))
  const shop = { bus, mailUp: false, mailed: [] as string[], connection: undefined as unknown as DevtoolsConnection }
  bus.on('order.placed', (data, envelope) => {
    bus.emit('mail.send', { to: `${data.customer.toLowerCase()}@example.com`, subject: `Order ${data.orderId}` }, causedBy(envelope))
  }, { name: 'send-receipt' })
  bus.on('mail.send', (_data, envelope) => {
    if (!shop.mailUp) throw new Error('SMTP server unreachable')
    shop.mailed.push(envelope.id)
  }, { name: 'smtp' })
  bus.on('metrics.tick', () => {}, { name: 'gauge' })
  shop.connection = connectDevtools(bus, { url, WebSocket, name: 'shop-api', batchMs: 20, metricsIntervalMs: 250 })
  return shop
}

let hub: DevtoolsHub
let shop: ReturnType<typeof startShop>
let browser: Browser
let page: Page
let dist: string

const rows = () => page.locator('[role=option]')
const detail = () => page.getByLabel('Event detail')
const waitUntil = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) {
      await shot(`failed-${what.replace(/\W+/g, '-')}`)
      throw new Error(`Timed out waiting until ${what}`)
    }
    await new Promise((r) => setTimeout(r, 25))
  }
}
const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), animations: 'disabled' })
/** Two animation frames: the page has drawn whatever the last input changed. */
const settled = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))

/** Rows whose box overlaps the list's visible box: what the user actually sees. */
const rowsInView = () => page.evaluate(() => {
  const list = document.querySelector('[role=listbox]')!.getBoundingClientRect()
  return [...document.querySelectorAll('[role=option]')].filter((row) => {
    const box = row.getBoundingClientRect()
    return box.bottom > list.top && box.top < list.bottom
  }).map((row) => Number(row.getAttribute('data-seq')))
})

/** Searches the payloads at once (Enter skips the typing pause) and waits until the list is filtered. */
const search = async (text: string) => {
  await page.getByLabel('Search payloads').fill(text)
  await page.getByLabel('Search payloads').press('Enter')
  await waitUntil(`the list is filtered by "${text}"`, () => (new URLSearchParams(new URL(page.url()).hash.slice(1)).get('q') ?? '') === text)
  await settled()
}

/**
 * Controls that cannot be brought into the window and clicked there: pushed past its edge where
 * nothing scrolls to them, or covered by another part of the page. The page itself must not
 * scroll sideways either: only its own panes do.
 */
const unreachableControls = () => page.evaluate(() => {
  const lost: string[] = []
  if (document.documentElement.scrollWidth > innerWidth) lost.push(`the page is ${document.documentElement.scrollWidth} px wide`)
  for (const control of document.querySelectorAll<HTMLElement>('header button, main button, main input:not([type=file]), main select, main textarea')) {
    if (control.closest('[role=option]') || control.getClientRects().length === 0) continue
    control.scrollIntoView({ block: 'center', inline: 'nearest' })
    const box = control.getBoundingClientRect()
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)
    // Within a pixel: a pane's edge can fall between device pixels.
    const inWindow = box.left >= -1 && box.right <= innerWidth + 1 && box.top >= -1 && box.bottom <= innerHeight + 1
    if (!inWindow || !hit || !control.contains(hit)) lost.push(`${control.getAttribute('aria-label') ?? control.textContent!.trim()} (covered by ${hit?.outerHTML.slice(0, 60)})`)
  }
  if (document.documentElement.scrollLeft !== 0) lost.push('the page scrolled sideways to show a control')
  return lost
})

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

/** WCAG 2 contrast ratio of a button's text against its own background, as the browser paints them. */
const contrastOf = (button: Locator) => button.evaluate((el) => {
  const rgb = (css: string) => css.match(/[\d.]+/g)!.map(Number)
  const luminance = ([r, g, b]: number[]) => {
    const [R, G, B] = [r!, g!, b!].map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4))
    return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!
  }
  const style = getComputedStyle(el)
  const bg = rgb(style.backgroundColor)
  // A transparent background shows the page behind it.
  const back = bg.length === 4 && bg[3] === 0 ? rgb(getComputedStyle(document.body).backgroundColor) : bg
  const [a, b] = [luminance(rgb(style.color)), luminance(back)]
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)
})

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true })
  dist = await buildDevtoolsPage('devtools-interactions')
  hub = await startDevtoolsHub({ port: 0, staticDir: dist })
  shop = startShop(hub.url)
  await shop.connection.connected
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1440, height: 820 } })
  // A step that cannot happen fails the test with its own message instead of hanging it.
  page.setDefaultTimeout(5000)
  await page.goto(hub.url)
  await page.getByText('Live · 1 bus').waitFor()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await shop?.connection.close()
  await hub?.close()
  if (dist) rmSync(dist, { recursive: true, force: true })
})

describe('devtools page, used as a person uses it', () => {
  it('keeps the rows in view when a row of a scrolled, following list is clicked', async () => {
    for (let n = 0; n < 150; n++) shop.bus.emit('metrics.tick', { n })
    await waitUntil('the list has scrolled to follow', async () => (await rows().count()) > 0
      && await page.getByRole('listbox', { name: 'Events' }).evaluate((el) => el.scrollTop > 1000))
    const before = await rowsInView()
    expect(before.length).toBeGreaterThan(20)

    const list = (await page.getByRole('listbox', { name: 'Events' }).boundingBox())!
    await page.mouse.click(list.x + 200, list.y + list.height / 2)
    await settled()
    expect(await rowsInView()).toEqual(before)
    const selected = Number(await page.locator('[role=option][aria-selected=true]').getAttribute('data-seq'))
    expect(before).toContain(selected)

    // New events arrive while the user reads: the view stays where it was.
    for (let n = 0; n < 20; n++) shop.bus.emit('metrics.tick', { n })
    await page.getByRole('button', { name: /Latest \(20 new\)/ }).waitFor()
    await settled()
    expect(await rowsInView()).toEqual(before)
    await shot('1-clicked-scrolled-row')

    // Moving the selection with the keyboard brings it into view and draws the rows around it.
    const selectedInView = async () => {
      const seq = Number(await page.locator('[role=option][aria-selected=true]').getAttribute('data-seq'))
      const shown = await rowsInView()
      return shown.length > 20 && shown.includes(seq)
    }
    for (const key of ['PageUp', 'PageUp', 'PageUp', 'Home', 'PageDown', 'ArrowDown']) {
      await page.keyboard.press(key)
      await settled()
      expect(await selectedInView(), key).toBe(true)
    }
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: /Latest/ }).click()
  }, 20_000)

  it('updates the detail from what a retry or a discard did, without stale buttons', async () => {
    shop.bus.emit('order.placed', { orderId: 'R-1', customer: 'Ada' })
    shop.bus.emit('order.placed', { orderId: 'R-2', customer: 'Grace' })
    await search('Order R-1')
    await rows().filter({ hasText: 'dead-lettered' }).first().click()
    const smtp = detail().locator('.delivery', { hasText: 'smtp' })
    await smtp.getByRole('button', { name: 'Retry delivery' }).waitFor()
    // Two tries (the first and one retry), then the dead-letter step, which is no attempt of its own.
    const steps = await smtp.locator('.tries li').allInnerTexts()
    expect(steps.map((s) => s.split('\n')[0]!.replace(/^\S+ /, ''))).toEqual(['attempt 1: failed in', 'attempt 2: failed in', 'dead-lettered after 2 tries'].map((s) => expect.stringContaining(s)))
    expect(await smtp.locator('.delivery-head').innerText()).toContain('2 tries')

    // The mail server is still down: the retry fails, and the bus reports the entry dead-lettered again.
    await smtp.getByRole('button', { name: 'Retry delivery' }).click()
    await smtp.locator('.badge', { hasText: /^dead-lettered again$/ }).waitFor()
    expect((await smtp.locator('.tries li').allInnerTexts()).slice(3).map((s) => s.split('\n')[0]!.replace(/^\S+ /, '')))
      .toEqual([expect.stringContaining('attempt 3: failed in'), 'dead-lettered again after 3 tries'])
    expect(await smtp.getByRole('button', { name: 'Retry delivery' }).isEnabled()).toBe(true)
    expect(await detail().locator('.detail-head').innerText()).toContain('dead-lettered')
    expect(await shop.bus.dlq.size()).toBe(2)
    await shot('2-retry-failed-again')

    // Up again: the second click retries the same entry, and the detail shows it delivered.
    shop.mailUp = true
    await smtp.getByRole('button', { name: 'Retry delivery' }).click()
    await smtp.locator('.badge', { hasText: /^delivered$/ }).waitFor()
    await waitUntil('the detail says retried', async () => (await detail().locator('.detail-head').innerText()).includes('retried'))
    expect(await smtp.getByRole('button', { name: /^(Retry delivery|Discard)$/ }).count()).toBe(0)
    // The message names the entry it retried: what failed where, and which event.
    await page.getByText(/^Retried mail\.send → smtp \(event \S+\): delivered this time$/).waitFor()
    expect(await page.getByText(/no longer in the dead-letter queue/).count()).toBe(0)
    expect(await shop.bus.dlq.size()).toBe(1)
    await shot('3-retry-delivered')

    // Discarding the other one: the detail says so and offers nothing more.
    shop.mailUp = false
    await search('Order R-2')
    await rows().first().click()
    await smtp.getByRole('button', { name: 'Discard' }).click()
    await smtp.locator('.badge', { hasText: /^discarded$/ }).waitFor()
    expect(await smtp.locator('.tries li').last().innerText()).toContain('dead letter discarded')
    expect(await smtp.getByRole('button', { name: /^(Retry delivery|Discard)$/ }).count()).toBe(0)
    expect(await shop.bus.dlq.size()).toBe(0)
    await shot('4-discarded')
    await search('')
    await page.keyboard.press('Escape')
  }, 20_000)

  it('keeps hovered and focused primary buttons readable in both themes', async () => {
    shop.bus.emit('order.placed', { orderId: 'C-1', customer: 'Edsger' })
    await search('Order C-1')
    await rows().filter({ hasText: 'dead-lettered' }).first().click()
    await page.getByRole('button', { name: '❚❚ Pause' }).click()
    const buttons = [page.getByRole('button', { name: /Resume/ }), detail().getByRole('button', { name: 'Retry delivery' })]
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(theme)
      for (const [i, button] of buttons.entries()) {
        expect(await contrastOf(button), `${theme}, resting`).toBeGreaterThanOrEqual(4.5)
        await button.hover()
        expect(await contrastOf(button), `${theme}, hovered`).toBeGreaterThanOrEqual(4.5)
        await shot(`5-${theme}-hovered-${i}`)
        await button.focus()
        await page.mouse.move(0, 0)
        expect(await contrastOf(button), `${theme}, focused`).toBeGreaterThanOrEqual(4.5)
      }
    }
    await setTheme('light')
    await page.getByRole('button', { name: /Resume/ }).click()
    await search('')
    await page.keyboard.press('Escape')
  }, 20_000)

  it('says — for the latency of a type no handler ran for', async () => {
    shop.bus.emit('audit.noted', { what: 'nobody listens' })
    await search('nobody listens')
    await waitUntil('the audit event is listed', async () => (await rows().count()) === 1)
    expect(await rows().first().locator('.c-ms').innerText()).toBe('—')
    await search('')
    await page.getByRole('tab', { name: 'Charts' }).click()
    const audit = page.locator('table.stats tr', { hasText: 'audit.noted' })
    await audit.waitFor()
    const cells = await audit.locator('td').allInnerTexts()
    expect(cells.slice(-2)).toEqual(['—', '—'])
    const gauge = await page.locator('table.stats tr', { hasText: 'metrics.tick' }).locator('td').allInnerTexts()
    expect(gauge.slice(-2).every((c) => c !== '—')).toBe(true)
    // Above the notices that float at the bottom of the window, so the screenshot shows the dashes.
    await page.locator('table.stats').evaluate((table) => table.scrollIntoView({ block: 'start' }))
    await shot('6-charts')
    await page.getByRole('tab', { name: 'Stream' }).click()
  }, 20_000)

  it('keeps every control reachable in windows of 900 px and below', async () => {
    shop.bus.emit('order.placed', { orderId: 'N-1', customer: 'Barbara' })
    // Notices of the earlier steps float over the page for a few seconds: wait them out.
    await waitUntil('the notices are gone', async () => (await page.locator('.notice').count()) === 0, 15_000)
    for (const width of [900, 640]) {
      await page.setViewportSize({ width, height: 700 })
      await page.getByRole('tab', { name: 'Stream' }).click()
      await search('Order N-1')
      await rows().first().click()
      await detail().getByRole('button', { name: 'Retry delivery' }).waitFor()
      await settled()
      expect(await unreachableControls(), `stream at ${width} px`).toEqual([])
      // The list's columns all fit: the last one ends inside the list.
      const clipped = await page.evaluate(() => {
        const list = document.querySelector('[role=listbox]')!.getBoundingClientRect()
        return [...document.querySelectorAll('[role=option] > span')].filter((cell) => cell.getBoundingClientRect().right > list.right + 0.5).length
      })
      expect(clipped, `list columns at ${width} px`).toBe(0)
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(theme)
        await shot(`7-narrow-${width}-stream-${theme}`)
      }
      await setTheme('light')
      await search('')
      await page.keyboard.press('Escape')
      for (const tab of ['Operations', 'Sequence', 'Subscribers', 'Charts', 'Dead letters', 'Catalog', 'Dispatch']) {
        await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click()
        await settled()
        expect(await unreachableControls(), `${tab} at ${width} px`).toEqual([])
        await shot(`8-narrow-${width}-${tab.toLowerCase().replace(' ', '-')}`)
      }
    }
    await page.getByRole('tab', { name: 'Stream' }).click()
    await page.setViewportSize({ width: 1440, height: 820 })
  }, 40_000)

  it('filters and sorts dead letters, retries and discards a selection, and opens the event', async () => {
    shop.mailUp = false
    const before = await shop.bus.dlq.size()
    for (const id of ['D-1', 'D-2', 'D-3']) shop.bus.emit('order.placed', { orderId: id, customer: 'Dorothy' })
    await waitUntil('three more dead letters', async () => (await shop.bus.dlq.size()) === before + 3)
    const listed = await shop.bus.dlq.list()
    const ours = (order: string) => listed.find((e) => (e.envelope.data as { subject: string }).subject === `Order ${order}`)!
    const [d1, d2, d3] = [ours('D-1'), ours('D-2'), ours('D-3')]
    const label = (e: typeof d1) => `mail.send → smtp (event ${e.envelope.id})`

    await page.getByRole('tab', { name: /^Dead letters/ }).click()
    const table = page.locator('.dlq-table')
    const shownIds = async () => (await table.locator('tbody input[type=checkbox]').evaluateAll((boxes) =>
      boxes.map((b) => /\(event (\S+)\)$/.exec(b.getAttribute('aria-label')!)![1]!)))
    await waitUntil('every dead letter is listed', async () => (await shownIds()).length === listed.length)

    // Sorted by when they last failed: newest first, then oldest first.
    const byTime = [...listed].sort((a, b) => Date.parse(b.lastFailedAt) - Date.parse(a.lastFailedAt)).map((e) => e.envelope.id)
    expect(await shownIds()).toEqual(byTime)
    await page.getByRole('button', { name: 'Newest first ↓' }).click()
    expect(await shownIds()).toEqual([...listed].sort((a, b) => Date.parse(a.lastFailedAt) - Date.parse(b.lastFailedAt)).map((e) => e.envelope.id))
    await page.getByRole('button', { name: 'Oldest first ↑' }).click()

    // The filter looks in the event id (among others): one entry left.
    await page.getByLabel('Filter dead letters').fill(d2.envelope.id)
    expect(await shownIds()).toEqual([d2.envelope.id])
    await page.getByLabel('Filter dead letters').fill('')

    await page.getByLabel(`Select ${label(d1)}`).check()
    await page.getByLabel(`Select ${label(d2)}`).check()
    await page.getByText('2 selected').waitFor()
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(theme)
      await shot(`9-dlq-selection-1440-${theme}`)
    }
    await page.setViewportSize({ width: 900, height: 700 })
    expect(await unreachableControls(), 'dead letters at 900 px').toEqual([])
    await shotBothThemes('9-dlq-selection-900')
    await page.setViewportSize({ width: 1440, height: 820 })
    await setTheme('light')

    shop.mailUp = true
    await page.getByRole('button', { name: 'Retry selected' }).click()
    const status = page.locator('.dlq p.result[role=status]')
    await waitUntil('the retry says what it did', async () => (await status.count()) > 0 && (await status.innerText()).startsWith('Retried 2'))
    // Named in the order they are listed (the newest first).
    const retried = (await status.innerText()).replace('Retried 2, all delivered: ', '').split('; ')
    expect(retried.sort()).toEqual([label(d1), label(d2)].sort())
    expect(await shop.bus.dlq.get(d1.id)).toBeUndefined()
    expect(await shop.bus.dlq.get(d2.id)).toBeUndefined()
    expect(await shop.bus.dlq.size()).toBe(before + 1)
    await waitUntil('the retried entries leave the list', async () => !(await shownIds()).includes(d1.envelope.id))

    // Open the third one's event: the stream shows it with its detail.
    shop.mailUp = false
    await table.locator('tbody tr').filter({ has: page.getByLabel(`Select ${label(d3)}`) }).getByRole('button', { name: 'Open event' }).click()
    await detail().waitFor()
    expect(await detail().innerText()).toContain(d3.envelope.id)
    await shot('10-dlq-opened-event')

    await page.getByRole('tab', { name: /^Dead letters/ }).click()
    await page.getByLabel(`Select ${label(d3)}`).check()
    await page.getByRole('button', { name: 'Discard selected' }).click()
    await waitUntil('the discard says what it did', async () => (await status.count()) > 0 && (await status.innerText()).startsWith('Discarded'))
    expect(await status.innerText()).toBe(`Discarded ${label(d3)}`)
    expect(await shop.bus.dlq.get(d3.id)).toBeUndefined()
    await page.getByRole('tab', { name: 'Stream' }).click()
  }, 30_000)
})
