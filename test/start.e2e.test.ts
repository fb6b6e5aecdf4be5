import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fileStore } from '@tidings/node'
import type { Browser, Page } from 'playwright'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './support/browser'

const root = fileURLToPath(new URL('..', import.meta.url))
const screenshots = join(root, 'test-results/start')

/** Every process below `pid`, from /proc: what must be gone once `npm start` has stopped. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8')
    } catch {
      continue
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so parse after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)])
  }
  const found: number[] = []
  const queue = [pid]
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

/** Running, as opposed to gone or a zombie waiting for its parent to collect it. */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

let npm: ChildProcess
let output = ''
let dataDir: string
let browser: Browser
let page: Page

const waitForOutput = (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> => new Promise((resolve, reject) => {
  const settle = (error?: Error) => {
    clearTimeout(timer)
    npm.stdout!.off('data', check)
    npm.off('exit', exited)
    const match = pattern.exec(output)
    if (error === undefined && match !== null) resolve(match)
    else reject(error ?? new Error(`No ${pattern} in the output of npm start:\n${output}`))
  }
  const check = () => {
    if (pattern.test(output)) settle()
  }
  const exited = () => settle(new Error(`npm start exited before printing ${pattern}:\n${output}`))
  const timer = setTimeout(() => settle(new Error(`No ${pattern} in the output of npm start within ${timeoutMs} ms:\n${output}`)), timeoutMs)
  npm.stdout!.on('data', check)
  npm.once('exit', exited)
  check()
})

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true })
  dataDir = mkdtempSync(join(tmpdir(), 'tidings-start-'))
  // Its own process group, as a terminal would run it, so that SIGINT can go to the whole group as Ctrl-C does.
  npm = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: { ...process.env, TIDINGS_DATA_DIR: dataDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk))
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk))
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } })
}, 30_000)

afterEach((context) => {
  if (context.task.result?.state === 'fail') console.error(`Output of npm start:\n${output}`)
})

afterAll(async () => {
  await browser?.close()
  if (npm?.exitCode === null && npm.signalCode === null) {
    for (const pid of descendants(npm.pid!)) process.kill(pid, 'SIGKILL')
    process.kill(-npm.pid!, 'SIGKILL')
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

describe('npm start', () => {
  it('prints the URLs, and the devtools page shows live traffic from the browser app and the node service', async () => {
    const [, devtoolsUrl] = await waitForOutput(/devtools\s+(http:\/\/\S+\?token=\S+)/, 60_000)
    const [, appUrl] = await waitForOutput(/browser app\s+(http:\/\/\S+\?devtools=\S+)/, 5_000)
    expect(decodeURIComponent(new URL(appUrl!).searchParams.get('devtools')!)).toBe(devtoolsUrl)
    expect(output).toMatch(/node service\s+http:\/\/127\.0\.0\.1:\d+/)

    await page.goto(devtoolsUrl!)
    const rows = page.locator('[role=option]')
    try {
      // The traffic generator's shopper checks out in the browser app within seconds; HTTP orders start at once.
      await rows.filter({ hasText: 'browser-app' }).filter({ hasText: 'order.placed' }).first().waitFor({ timeout: 30_000 })
      await rows.filter({ hasText: 'node-service' }).filter({ hasText: 'order.placed' }).first().waitFor({ timeout: 10_000 })
      await page.getByText('Live · 2 buses').waitFor({ timeout: 5_000 })
    } finally {
      await page.screenshot({ path: join(screenshots, 'devtools.png') })
    }
  }, 90_000)

  it('opens the browser app in two tabs that stay in sync, with the worker\'s total and the shipping the node service pushes', async () => {
    const [, appUrl] = await waitForOutput(/browser app\s+(http:\/\/\S+\?devtools=\S+)/, 5_000)
    const [, serviceUrl] = await waitForOutput(/node service\s+(http:\/\/\S+)/, 5_000)
    expect(output).toMatch(/open it in two tabs/)
    expect(new URL(appUrl!).searchParams.get('push')).toBe(`${serviceUrl}/events`)
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } })
    const [a, b] = [await context.newPage(), await context.newPage()]
    for (const tab of [a, b]) await tab.goto(appUrl!)
    await a.getByRole('slider').fill('0')
    await a.getByRole('button', { name: 'Add Cast-iron teapot' }).click()
    await expect.poll(() => b.locator('.cart').innerText()).toMatch(/1 ×\s*Cast-iron teapot[\s\S]*Total €49\.00/)
    await expect.poll(() => b.getByLabel('Totals from the worker').innerText()).toContain('1 item · €49.00 incl. €8.17 VAT · free shipping')
    await b.getByRole('button', { name: 'Checkout' }).click()
    for (const tab of [a, b]) await expect.poll(() => tab.locator('.orders tr').first().innerText(), { timeout: 15_000 }).toMatch(/€49\.00\s*shipped/)
    await b.screenshot({ path: join(screenshots, 'browser-app-two-tabs.png') })
    await context.close()
  }, 30_000)

  it('serves the Vue app, whose composables follow the kitchen\'s events', async () => {
    const [, vueUrl] = await waitForOutput(/vue app\s+(http:\/\/\S+)/, 5_000)
    await page.goto(vueUrl!)
    await page.getByRole('button', { name: 'Order Margherita' }).click()
    await page.getByRole('button', { name: 'Order Piña colada' }).click()
    await page.getByRole('button', { name: 'Margherita for table 1 is ready' }).click()
    // useEvent: the pass; useLastEvent and useHistory: the timeline; useDeadLetters: the printer's failure.
    await page.getByText('Table 1: Margherita is ready').waitFor({ timeout: 5_000 })
    await expect.poll(() => page.locator('.last').innerText()).toBe('Last: ticket.ready T1 (Margherita)')
    await expect.poll(() => page.locator('.events li').count()).toBe(3)
    await expect.poll(() => page.locator('.dead-letters').innerText()).toContain('cannot print "Piña colada" on T2')
    await page.getByLabel('Printer fixed').check()
    await page.getByRole('button', { name: /^Retry / }).click()
    await expect.poll(() => page.locator('.dead-letters .count').innerText()).toBe('0')
    await page.screenshot({ path: join(screenshots, 'vue-app.png') })
  }, 30_000)

  it('stops every process on Ctrl-C (SIGINT) and leaves a file store that reopens intact', async () => {
    const pids = descendants(npm.pid!)
    // npm, its shell, start.mjs, the hub, the service, the two app servers, the generator and its Chromium.
    expect(pids.length).toBeGreaterThan(7)
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()))
    process.kill(-npm.pid!, 'SIGINT')
    await exited
    await expect.poll(() => pids.filter(alive), { timeout: 5_000 }).toEqual([])
    expect(output).toContain('[node-service] stopped: every event is on disk')
    expect(output).toContain('[start] stopped')
    expect(output).not.toMatch(/did not stop|exited unexpectedly/)

    // Opening it for writing also proves the service released its lock.
    const store = fileStore({ dir: dataDir })
    await store.ready
    const types = new Set<string>()
    let last = 0
    for await (const { position, envelope } of store.read()) {
      expect(position).toBeGreaterThan(last)
      last = position
      types.add(envelope.type)
    }
    expect(types).toContain('order.placed')
    expect(types).toContain('order.reserved')
    expect(await store.listDeadLetters()).toBeInstanceOf(Array)
    await store.close()
  }, 30_000)
})
