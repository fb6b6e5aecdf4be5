// Traffic for the demo, so that the devtools page shows both apps at work without anyone
// clicking: HTTP orders to the node service, and a shopper in headless Chromium using the
// browser app's own buttons. Settings come from the environment (see scripts/start.mjs):
// SERVICE_URLS (comma-separated: the instances, taking turns) or SERVICE_URL, APP_URL, CHROMIUM_PATH.
import { existsSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import { chromium } from 'playwright'

const SERVICE_URLS = (process.env.SERVICE_URLS || process.env.SERVICE_URL || '').split(',').map((url) => url.trim()).filter(Boolean)
const APP_URL = process.env.APP_URL
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']
/** How long an instance that does not answer is left alone before it is tried again. */
const DOWN_MS = 10_000

const CUSTOMERS = ['ada@example.com', 'grace@example.com', 'alan@example.com', 'edsger@example.com', 'barbara@example.com']
const pick = (list) => list[Math.floor(Math.random() * list.length)]
const between = (min, max) => min + Math.random() * (max - min)

const stopping = new AbortController()
const { signal } = stopping
const pause = (ms) => delay(ms, undefined, { signal }).catch(() => {})

const log = (message) => console.log(`[traffic] ${message}`)

/**
 * The service instances, taking turns. One that refuses connections (killed, restarting) is
 * skipped for a while, so that the others keep getting orders; only when none answers does the
 * HTTP client fail.
 */
const services = SERVICE_URLS.map((url) => ({ url, downUntil: 0, down: false }))
let turn = 0
const nextService = () => {
  for (let i = 0; i < services.length; i++) {
    const service = services[turn++ % services.length]
    if (service.downUntil <= Date.now()) return service
  }
  throw new Error(`no service instance answers (${SERVICE_URLS.join(', ')})`)
}

const request = async (service, path, init) => {
  try {
    const response = await fetch(`${service.url}${path}`, { ...init, signal })
    if (service.down) log(`${service.url} answers again`)
    service.down = false
    return response
  } catch (error) {
    if (!signal.aborted && services.length > 1) {
      // Said once per outage; it is tried again every DOWN_MS.
      if (!service.down) log(`${service.url} does not answer (${error.cause?.code ?? error.message}): sending to the other instances`)
      service.down = true
      service.downUntil = Date.now() + DOWN_MS
    }
    throw error
  }
}

const post = (service, path, body) => request(service, path, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
})

/** With several instances, a request to one that just died is dropped: the next goes to another. */
const unlessShared = (error) => {
  if (services.length > 1 && !signal.aborted) return undefined
  throw error
}

/** Only letters a minute old: the newer ones stay for you to retry from the devtools page. */
async function retryStaleDeadLetters(service) {
  const letters = await (await request(service, '/dead-letters')).json()
  const stale = letters.filter((letter) => Date.now() - Date.parse(letter.lastFailedAt) > 60_000)
  for (const { id } of stale) await post(service, `/dead-letters/${encodeURIComponent(id)}/retry`)
}

/**
 * Orders every 0.4–1.2 s, to each instance in turn; one in twenty is invalid (a 400). An order is
 * looked up on the next instance, whose history has it too when they share NATS. Dead letters (each
 * instance has its own) are retried after a minute.
 */
async function httpClient() {
  const products = await (await request(nextService(), '/products')).json()
  for (let n = 1; !signal.aborted; n++) {
    const items = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => ({ sku: pick(products).sku, qty: 1 + Math.floor(Math.random() * 3) }))
    const customer = Math.random() < 0.05 ? 'not-an-email' : pick(CUSTOMERS)
    const reply = await post(nextService(), '/orders', { customer, items }).catch(unlessShared)
    const { orderId } = reply ? await reply.json() : {}
    if (orderId && n % 4 === 0) await request(nextService(), `/orders/${orderId}`).catch(unlessShared)
    if (n % 20 === 0) {
      for (const service of services.filter(({ downUntil }) => downUntil <= Date.now())) {
        await retryStaleDeadLetters(service).catch(unlessShared)
      }
    }
    await pause(between(400, 1200))
  }
}

/**
 * A shopper in the browser app: fills the cart through its buttons, checks out, retries failed
 * payments. On NATS the page has no failed payments of its own (the service instances charge
 * the orders, and keep the dead letters), so there is nothing to retry there.
 */
async function browserShopper(browser) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  try {
    await shop(page)
  } finally {
    await page.close().catch(() => {})
  }
}

async function shop(page) {
  await page.goto(APP_URL)
  const products = page.getByRole('button', { name: /^Add / })
  await products.first().waitFor()
  const count = await products.count()
  for (let n = 1; !signal.aborted; n++) {
    for (let i = 1 + Math.floor(Math.random() * 3); i > 0; i--) {
      await products.nth(Math.floor(Math.random() * count)).click()
      await pause(between(200, 600))
    }
    const removes = page.getByRole('button', { name: /^Remove / })
    // Never the last line: an empty cart cannot check out.
    if (Math.random() < 0.2 && (await removes.count()) > 1) await removes.first().click()
    await page.getByRole('button', { name: 'Checkout' }).click()
    const retry = page.getByRole('button', { name: /^Retry / })
    // Always leaves one failed payment in the page's dead-letter list, for you to retry.
    if (n % 3 === 0 && (await retry.count()) > 1) await retry.first().click()
    await pause(between(1500, 3000))
  }
}

/** Runs a loop until stopped; if it fails (the service restarting, a page crash), says so and starts it again. */
async function forever(name, loop) {
  while (!signal.aborted) {
    try {
      await loop()
    } catch (error) {
      if (signal.aborted) return
      log(`${name} failed (${error.message.split('\n')[0]}); starting it again in 2 s`)
      await pause(2000)
    }
  }
}

let browser
const stop = async () => {
  if (signal.aborted) return
  stopping.abort()
  await browser?.close().catch(() => {})
  process.exit(0)
}
for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(name, stop)

const tasks = [forever('HTTP client', httpClient)]
if (existsSync(CHROMIUM)) {
  // Our own signal handling closes the browser: Playwright's would exit with code 130.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false })
  tasks.push(forever('browser shopper', () => browserShopper(browser)))
  log(`sending orders to ${SERVICE_URLS.join(' and ')} and shopping in the browser app with headless Chromium`)
} else {
  log(`sending orders to ${SERVICE_URLS.join(' and ')}; no Chromium at ${CHROMIUM}: open the app URL yourself for browser traffic`)
}
await Promise.all(tasks)
