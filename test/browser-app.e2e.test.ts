import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright'
import { build, preview } from 'vite'
import type { PreviewServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './support/browser'

const appRoot = fileURLToPath(new URL('../examples/browser-app', import.meta.url))
// The node service as users run it, built by scripts/setup.mjs.
const serviceMain = fileURLToPath(new URL('../examples/node-service/dist/main.js', import.meta.url))
const screenshots = fileURLToPath(new URL('../test-results/browser-app', import.meta.url))

let outDir: string
let server: PreviewServer
let browser: Browser
let page: Page
let service: ChildProcess | undefined
let serviceDir: string | undefined

const orderRows = () => page.locator('.orders tr')
const deadLetters = () => page.locator('.dead-letters li')

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true })
  // The example as it ships (against the built @tidings/core), into a folder of the test's own.
  outDir = mkdtempSync(join(tmpdir(), 'tidings-browser-app-'))
  await build({ root: appRoot, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  server = await preview({ root: appRoot, logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } })
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  await page.goto(server.resolvedUrls!.local[0]!)
}, 60_000)

afterAll(async () => {
  service?.kill('SIGKILL')
  if (serviceDir) rmSync(serviceDir, { recursive: true, force: true })
  await browser?.close()
  await server?.close()
  if (outDir) rmSync(outDir, { recursive: true, force: true })
})

describe('the browser app example', () => {
  it('keeps the cart, the orders and a failed payment across a reload, and retries it from the page', async () => {
    await page.getByRole('button', { name: 'Add Stoneware mug' }).click()
    await page.getByRole('button', { name: 'Add Stoneware mug' }).click()
    await page.getByRole('button', { name: 'Add Ginger biscuits' }).click()
    await expect.poll(() => page.locator('.cart').innerText()).toContain('Total €32.75')

    // The cart is rebuilt from its events in IndexedDB.
    await page.reload()
    await expect.poll(() => page.locator('.cart').innerText()).toMatch(/2 ×\s*Stoneware mug[\s\S]*Total €32\.75/)

    // Every payment attempt fails: one try, one retry, then the dead-letter queue.
    await page.getByRole('slider').fill('100')
    await page.getByRole('button', { name: 'Checkout' }).click()
    await expect.poll(() => page.locator('.cart').innerText()).toContain('Your cart is empty.')
    await deadLetters().first().waitFor({ timeout: 5_000 })
    await expect.poll(() => deadLetters().first().innerText()).toMatch(/charge-card · 2 tries[\s\S]*provider declined 32\.75/)
    await expect.poll(() => orderRows().first().innerText()).toContain('payment failed')

    await page.reload()
    await deadLetters().first().waitFor({ timeout: 5_000 })
    expect(await deadLetters().count()).toBe(1)
    expect(await orderRows().first().innerText()).toContain('payment failed')
    await page.screenshot({ path: join(screenshots, 'dead-letter.png') })

    await page.getByRole('slider').fill('0')
    await page.getByRole('button', { name: /^Retry / }).click()
    await expect.poll(() => orderRows().first().innerText(), { timeout: 5_000 }).toContain('paid')
    await expect.poll(() => deadLetters().count()).toBe(0)
    await page.screenshot({ path: join(screenshots, 'paid.png') })
  }, 30_000)

  it('keeps two tabs in sync, prices the cart in a worker, charges once and shows the shipping the node service pushes', async () => {
    serviceDir = mkdtempSync(join(tmpdir(), 'tidings-browser-app-service-'))
    service = spawn(process.execPath, [serviceMain], {
      env: { ...process.env, PORT: '0', DATA_DIR: serviceDir, PACKING_MS: '200' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let serviceUrl: string | undefined
    for await (const line of createInterface({ input: service.stdout! })) {
      if ((serviceUrl = /listening on (http:\/\/\S+)/.exec(line)?.[1])) break
    }
    // Two tabs of one browser profile: they share the channel, the locks and the IndexedDB log.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const url = `${server.resolvedUrls!.local[0]!}?push=${encodeURIComponent(`${serviceUrl}/events`)}`
    const [a, b] = [await context.newPage(), await context.newPage()]
    for (const tab of [a, b]) await tab.goto(url)
    // Whichever tab was elected to charge, it reads the rate the other tab's slider set.
    await b.getByRole('slider').fill('0')

    await a.getByRole('button', { name: 'Add Sencha green tea' }).click()
    await a.getByRole('button', { name: 'Add Sencha green tea' }).click()
    await b.getByRole('button', { name: 'Add Stoneware mug' }).click()
    for (const tab of [a, b]) {
      await expect.poll(() => tab.locator('.cart').innerText()).toMatch(/2 ×\s*Sencha green tea[\s\S]*1 ×\s*Stoneware mug[\s\S]*Total €31\.00/)
      // Each tab's own worker prices the cart: 31.00 with 20 % VAT included, free shipping from 40.
      await expect.poll(() => tab.getByLabel('Totals from the worker').innerText())
        .toBe('3 items · €31.00 incl. €5.17 VAT · €9.00 more for free shipping (priced in a worker)')
    }
    await a.screenshot({ path: join(screenshots, 'tab-a-cart.png') })

    await b.getByRole('button', { name: 'Checkout' }).click()
    for (const tab of [a, b]) {
      await expect.poll(() => tab.locator('.cart').innerText()).toContain('Your cart is empty.')
      await expect.poll(() => tab.locator('.orders tr').first().innerText(), { timeout: 10_000 }).toContain('shipped')
    }
    const orderId = await a.locator('.orders tr td.mono').first().innerText()
    await a.screenshot({ path: join(screenshots, 'tab-a-shipped.png') })
    await b.screenshot({ path: join(screenshots, 'tab-b-shipped.png') })
    // One tab charged and sent the payment up: the service has it once, then its shipment.
    const status = (await (await fetch(`${serviceUrl}/orders/${orderId}`)).json()) as { status: string; events: Array<{ type: string }> }
    expect(status).toMatchObject({ status: 'shipped', events: [{ type: 'payment.captured' }, { type: 'order.shipped' }] })

    // Tab a goes (it may have been the one charging): b charges the next order.
    await b.getByRole('button', { name: 'Add Wildflower honey' }).click()
    await a.close()
    await b.getByRole('button', { name: 'Checkout' }).click()
    await expect.poll(() => b.locator('.orders tr').first().innerText(), { timeout: 10_000 }).toMatch(/€11\.25\s*shipped/)
    await context.close()
  }, 40_000)
})
