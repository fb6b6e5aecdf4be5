import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright'
import { build, preview } from 'vite'
import type { PreviewServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './support/browser'

const appRoot = fileURLToPath(new URL('../examples/browser-app', import.meta.url))
const screenshots = fileURLToPath(new URL('../test-results/browser-app', import.meta.url))

let outDir: string
let server: PreviewServer
let browser: Browser
let page: Page

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
})
