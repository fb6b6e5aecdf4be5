// fileStore() with durability 'fsync' against a raw baseline in the same run: the same record bytes,
// written with one write() + fdatasync() per batch, which is the least any durable log must do.
// Each case appends batches (awaiting each) for 150 ms; cases alternate over 15 rounds (fsync latency
// drifts on a shared disk) and the figure is the median round, in events/s; the ratio is the median of
// per-round ratios (the store and its baseline ran a moment apart). Then 1M events are read back to
// show that reading streams in bounded memory.
// Usage: node bench/file-store.bench.mjs [--read-events=1000000]
import { mkdtemp, open, rm, stat } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBus, createCodec } from '../packages/core/dist/esm/index.js'
import { fileStore } from '../packages/node-adapter/dist/index.js'
import { table } from './harness.mjs'

const ROUNDS = 15
const ROUND_MS = 150
const readEvents = Number(process.argv.find((a) => a.startsWith('--read-events='))?.split('=')[1] ?? 1_000_000)

const bus = createBus({ source: '/shop/checkout' })
const codec = createCodec(undefined, { unknown: 'keep' })
const envelope = (i) => bus.emit('order.placed', { orderId: `o-${100000 + i}`, amount: 129.5, currency: 'EUR', customer: 'c-4411', lines: [{ sku: 'A-1001', qty: 2 }] })
const root = await mkdtemp(join(tmpdir(), 'tidings-bench-'))

/** Times `step` (which writes one batch of `size` events) for ROUND_MS; returns events/s. */
const round = async (step, size) => {
  let events = 0
  const start = performance.now()
  while (performance.now() - start < ROUND_MS) {
    await step()
    events += size
  }
  return (events / (performance.now() - start)) * 1000
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

async function compareAt(size) {
  const batch = Array.from({ length: size }, (_, i) => envelope(i))
  let position = 0
  const bytes = () => Buffer.from(batch.map((e) => `{"p":${++position},"e":${codec.encode(e)}}\n`).join(''))
  const rawBytes = bytes()
  const store = fileStore({ dir: join(root, `store-${size}`), durability: 'fsync' })
  await store.ready
  const raw = await open(join(root, `raw-${size}.ndjson`), 'a')
  const rows = await alternate([
    { name: 'raw write + fdatasync', size, step: async () => { await raw.write(rawBytes); await raw.datasync() } },
    { name: "fileStore 'fsync' append", size, step: () => store.append(batch) },
  ])
  await store.close()
  await raw.close()
  return rows
}

/** Runs cases in alternation, ROUNDS times each; returns their median events/s. */
async function alternate(cases) {
  for (const c of cases) await round(c.step, c.size)
  const samples = cases.map(() => [])
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length
      samples[i].push(await round(cases[i].step, cases[i].size))
    }
  }
  return cases.map((c, i) => ({ name: c.name, hz: median(samples[i]), min: Math.min(...samples[i]), max: Math.max(...samples[i]), rounds: samples[i] }))
}

/** The rows, then the second against the first, paired by round. */
const report = (title, rows) => {
  const ratios = rows[1].rounds.map((hz, i) => hz / rows[0].rounds[i])
  return `${table(title, rows, rows[0].name)}\n\npaired ratio (median of rounds): ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})\n`
}
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ')

/**
 * Many writers at once, as concurrent publishes are: each append is one event, and group commit lets
 * them share writes and fdatasyncs. Against raw: each event written and fdatasync'ed on its own.
 */
async function concurrent(writers) {
  const store = fileStore({ dir: join(root, `concurrent-${writers}`), durability: 'fsync' })
  await store.ready
  const raw = await open(join(root, 'raw-single.ndjson'), 'a')
  const events = Array.from({ length: writers }, (_, i) => [envelope(i)])
  const one = Buffer.from(`{"p":1,"e":${codec.encode(events[0][0])}}\n`)
  const rows = await alternate([
    { name: 'raw write + fdatasync per event', size: 1, step: async () => { await raw.write(one); await raw.datasync() } },
    { name: `fileStore 'fsync', ${writers} concurrent single-event appends`, size: writers, step: () => Promise.all(events.map((e) => store.append(e))) },
  ])
  await store.close()
  await raw.close()
  return rows
}

async function readBack(total) {
  const dir = join(root, 'read')
  const store = fileStore({ dir, durability: 'none' })
  const batch = Array.from({ length: 10_000 }, (_, i) => envelope(i))
  for (let n = 0; n < total; n += batch.length) await store.append(batch.slice(0, Math.min(batch.length, total - n)))
  await store.close()
  let bytes = 0
  const reader = fileStore({ dir, readOnly: true })
  globalThis.gc?.()
  const baseline = process.memoryUsage()
  let peakHeap = baseline.heapUsed
  let peakRss = baseline.rss
  const sample = setInterval(() => {
    const m = process.memoryUsage()
    peakHeap = Math.max(peakHeap, m.heapUsed)
    peakRss = Math.max(peakRss, m.rss)
  }, 20)
  const start = performance.now()
  let count = 0
  for await (const record of reader.read()) if (record.position > 0) count++
  const ms = performance.now() - start
  clearInterval(sample)
  for (const f of await (await import('node:fs/promises')).readdir(dir)) bytes += (await stat(join(dir, f))).size
  return { count, ms, bytes, heapGrowth: peakHeap - baseline.heapUsed, rssGrowth: peakRss - baseline.rss }
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`
console.log(`Node ${process.version}, load average ${load()}\n`)
try {
  for (const size of [1, 100, 1000]) {
    const rows = await compareAt(size)
    console.log(report(`fileStore 'fsync' vs raw write + fdatasync, batches of ${size} (events/s)`, rows))
  }
  const rows = await concurrent(64)
  console.log(report('Group commit: concurrent appends (events/s)', rows))
  console.log(`load average ${load()}\n`)
  if (readEvents > 0) {
    const r = await readBack(readEvents)
    console.log(`### Reading ${r.count.toLocaleString('en')} events back (${mb(r.bytes)} on disk)\n`)
    console.log(`${(r.count / (r.ms / 1000) / 1000).toFixed(0)} k events/s (${(r.ms / 1000).toFixed(1)} s); peak heap growth ${mb(r.heapGrowth)}, peak RSS growth ${mb(r.rssGrowth)}`)
  }
} finally {
  await rm(root, { recursive: true, force: true })
}
