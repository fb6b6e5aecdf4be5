import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connectDevtools, createBus, defineCatalog, defineEvent, observe } from '@tidings/core'
import { startDevtoolsHub } from '@tidings/node'
import type { DevtoolsHub } from '@tidings/node'
import { type } from 'arktype'
import { Schema } from 'effect'
import type { Browser, Page } from 'playwright'
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { z } from 'zod'
import { buildDevtoolsPage, launchChromium } from './support/browser'

// One bus whose catalog mixes schema libraries: the Catalog tab names each one and shows the
// JSON Schema of those that offer it.

const screenshots = process.env.TIDINGS_SHOTS ?? fileURLToPath(new URL('../test-results/devtools-catalog-vendors', import.meta.url))
const TOKEN = 'catalog-vendors-e2e-token-0123456789'

const catalog = defineCatalog(
  defineEvent('order.placed', { schema: v.object({ orderId: v.string(), amount: v.number() }), description: 'valibot' }),
  defineEvent('order.shipped', { schema: z.object({ orderId: z.string(), carrier: z.enum(['ups', 'dhl']) }) }),
  defineEvent('user.signed-up', { schema: type({ email: 'string.email' }) }),
  defineEvent('invoice.sent', { schema: Schema.toStandardSchemaV1(Schema.Struct({ invoiceId: Schema.String })) }),
)

let hub: DevtoolsHub
let browser: Browser
let page: Page
let dist: string
let connection: ReturnType<typeof connectDevtools>

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true })
  dist = await buildDevtoolsPage('devtools-catalog-vendors')
  hub = await startDevtoolsHub({ port: 0, token: TOKEN, staticDir: dist })
  connection = connectDevtools(createBus({ catalog, source: '/shop' }, observe()), { url: hub.url, WebSocket, name: 'shop' })
  await connection.connected
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1440, height: 820 } })
  page.setDefaultTimeout(8000)
  await page.goto(hub.url)
  await page.getByRole('tab', { name: /^Catalog/ }).click()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await connection?.close()
  await hub?.close()
  if (dist) rmSync(dist, { recursive: true, force: true })
})

describe('devtools Catalog tab, with schemas from several libraries', () => {
  it("names each type's schema library", async () => {
    const row = (name: string) => page.locator('.catalog-table tbody tr').filter({ hasText: name })
    for (const [name, vendor] of [['order.placed', 'valibot'], ['order.shipped', 'zod'], ['user.signed-up', 'arktype'], ['invoice.sent', 'effect']]) {
      await expect.poll(() => row(name!).locator('.badge.vendor').innerText()).toBe(vendor)
    }
  })

  it('shows the JSON Schema of a zod type, and says why an Effect one has none', async () => {
    await page.getByRole('button', { name: /order\.shipped/ }).click()
    const tree = page.getByLabel('JSON Schema of order.shipped')
    await expect.poll(() => tree.innerText()).toContain('carrier')
    await page.screenshot({ path: join(screenshots, 'zod-schema.png'), animations: 'disabled' })
    await page.getByRole('button', { name: /invoice\.sent/ }).click()
    await expect.poll(() => page.getByText('This effect schema offers no JSON Schema').count()).toBe(1)
    await page.screenshot({ path: join(screenshots, 'effect-none.png'), animations: 'disabled' })
  })
})
