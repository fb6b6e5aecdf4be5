// indexedDBStore() in headless Chromium against raw idb in the same page and run: the same events
// (already encoded, so the baseline does no encoding), one idb put per event, one transaction per
// batch, into an auto-increment object store without indexes (the baseline) and with type and time
// indexes (what a per-event log needs to be queried). The store encodes each event and writes a batch
// as one record (see src/indexeddb/chunk-writer.ts). Each case writes batches (awaiting each) for a
// fixed time; cases rotate per round and the figure is the median round, in events/s.
// Usage: node bench/indexeddb.bench.mjs   (CHROMIUM_PATH overrides /usr/bin/chromium)
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'
import { table } from './harness.mjs'

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

// Runs in the page: the built packages, as an app would bundle them.
const pageScript = `
import { createBus, createCodec } from './packages/core/dist/esm/index.js'
import { indexedDBStore } from './packages/core/dist/esm/indexeddb.js'
import { openDB } from 'idb'

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const round = async (step, size, ms) => {
  let events = 0
  const start = performance.now()
  while (performance.now() - start < ms) { await step(); events += size }
  return (events / (performance.now() - start)) * 1000
}

window.bench = async ({ size, rounds, roundMs }) => {
  const bus = createBus({ source: '/shop/checkout' })
  const codec = createCodec(undefined, { unknown: 'keep' })
  const batch = Array.from({ length: size }, (_, i) => bus.emit('order.placed', { orderId: 'o-' + (100000 + i), amount: 129.5, currency: 'EUR', customer: 'c-4411', lines: [{ sku: 'A-1001', qty: 2 }] }))
  const records = batch.map((e) => ({ t: e.type, ms: Date.parse(e.time), e: codec.encode(e) }))
  const schema = (indexes) => (db) => {
    const events = db.createObjectStore('events', { keyPath: 'p', autoIncrement: true })
    if (indexes) { events.createIndex('type', 't'); events.createIndex('time', 'ms') }
  }
  const raw = await openDB('raw-' + size, 1, { upgrade: schema(true) })
  const bare = await openDB('bare-' + size, 1, { upgrade: schema(false) })
  const put = (db) => async () => {
    const tx = db.transaction('events', 'readwrite')
    for (const r of records) tx.store.put(r)
    await tx.done
  }
  const store = indexedDBStore({ name: 'store-' + size })
  await store.ready
  const cases = [
    { name: 'raw idb put per event, no indexes', step: put(bare) },
    { name: 'indexedDBStore append', step: () => store.append(batch) },
    { name: 'raw idb put per event, type + time indexes', step: put(raw) },
  ]
  for (const c of cases) await round(c.step, size, roundMs)
  const samples = cases.map(() => [])
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length
      samples[i].push(await round(cases[i].step, size, roundMs))
    }
  }
  await store.close(); raw.close(); bare.close()
  return cases.map((c, i) => ({ name: c.name, hz: median(samples[i]), min: Math.min(...samples[i]), max: Math.max(...samples[i]) }))
}
`

const root = fileURLToPath(new URL('..', import.meta.url))
const bundle = await build({
  stdin: { contents: pageScript, resolveDir: root, sourcefile: 'bench-page.js' },
  bundle: true, format: 'esm', target: 'es2022', write: false, logLevel: 'error',
})
const script = bundle.outputFiles[0].text
const server = createServer((req, res) => {
  if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
  else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/bench.js"></script>')
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
try {
  const page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  await page.waitForFunction(() => 'bench' in window)
  console.log(`Chromium ${browser.version()}\n`)
  for (const size of [10, 100, 1000]) {
    const rows = await page.evaluate((options) => window.bench(options), { size, rounds: 7, roundMs: 300 })
    console.log(`${table(`indexedDBStore vs raw idb, one transaction per batch of ${size} (events/s)`, rows, rows[0].name)}\n`)
  }
} finally {
  await browser.close()
  server.close()
}
