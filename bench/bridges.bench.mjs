// Bridges against what they wrap: tab → tab over broadcastChannelBridge vs raw BroadcastChannel,
// page ↔ dedicated worker round trips over messagePortBridge vs raw postMessage, both of the same
// CloudEvents JSON object, in headless Chromium (bench/bridges-page.ts); then sseEndpoint()
// fanning out to 1,000 SSE clients held by a child process. Medians of rounds that alternate
// bridge and raw. `--quick` runs fewer rounds; `--sse-only` / `--browser-only` run one part.
import { fork } from 'node:child_process'
import { unlinkSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { median } from './harness.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const quick = process.argv.includes('--quick')
const ROUNDS = quick ? 3 : 7
const N = quick ? 5_000 : 20_000
const SAMPLES = quick ? 500 : 2_000
const CLIENTS = 1_000
const SSE_EVENTS = quick ? 200 : 1_000
const BURST = 10

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)))

async function browserPart() {
  const { chromium } = await import('playwright')
  const bundle = await build({
    entryPoints: [`${root}bench/bridges-page.ts`], bundle: true, format: 'esm', target: 'es2022', write: false, logLevel: 'error',
    absWorkingDir: root, tsconfig: `${root}tsconfig.json`, minify: true, define: { 'process.env.NODE_ENV': '"production"' },
  })
  const script = bundle.outputFiles[0].text
  const server = createServer((req, res) => {
    if (req.url === '/app.js' || req.url === '/worker.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/app.js"></script>')
  })
  const port = await listen(server)
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${port}/`)
  await page.waitForFunction(() => 'bench' in globalThis)
  const rows = []
  for (const [label, thr, lat] of [['tab → tab (BroadcastChannel)', 'tabThroughput', 'tabLatency'], ['worker → page (postMessage); latency: page → worker → page', 'workerThroughput', 'workerLatency']]) {
    const hz = { bridge: [], raw: [] }
    const p99 = { bridge: [], raw: [] }
    const p50 = { bridge: [], raw: [] }
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of r % 2 ? ['raw', 'bridge'] : ['bridge', 'raw']) {
        hz[kind].push(await page.evaluate(([fn, kind, n]) => globalThis.bench[fn](kind, n), [thr, kind, N]))
        const sorted = await page.evaluate(([fn, kind, n]) => globalThis.bench[fn](kind, n), [lat, kind, SAMPLES])
        p50[kind].push(sorted[Math.floor(sorted.length * 0.5)])
        p99[kind].push(sorted[Math.floor(sorted.length * 0.99)])
      }
    }
    // The ratio of each round's pair, then their median: the load on the machine moves between rounds.
    const ratio = median(hz.bridge.map((b, i) => b / hz.raw[i]))
    rows.push({ label, bridge: median(hz.bridge), raw: median(hz.raw), ratio, p50: [median(p50.bridge), median(p50.raw)], p99: [median(p99.bridge), median(p99.raw)] })
  }
  await browser.close()
  server.close()
  console.log(`\nBridges in headless Chromium, ${ROUNDS} rounds of ${N} events (throughput) and ${SAMPLES} one at a time (latency), medians`)
  console.log('| path | bridge events/s | raw events/s | bridge / raw | p50 bridge / raw (ms) | p99 bridge / raw (ms) |')
  console.log('|---|---:|---:|---:|---:|---:|')
  for (const r of rows) {
    console.log(`| ${r.label} | ${Math.round(r.bridge).toLocaleString('en')} | ${Math.round(r.raw).toLocaleString('en')} | ${r.ratio.toFixed(2)}× | ${r.p50.map((x) => x.toFixed(3)).join(' / ')} | ${r.p99.map((x) => x.toFixed(3)).join(' / ')} |`)
  }
}

/** The child: holds CLIENTS streams, counts the events each one got, says when all have `expect`. */
function clientsChild(port) {
  const counts = new Array(CLIENTS).fill(0)
  let expect = Infinity
  let connected = 0
  const check = () => {
    if (counts.every((c) => c >= expect)) process.send({ done: true })
  }
  for (let i = 0; i < CLIENTS; i++) {
    const req = request({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
      if (++connected === CLIENTS) process.send({ connected })
      let tail = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        const text = tail + chunk
        let at = 0
        while ((at = text.indexOf('\nid: ', at)) >= 0) {
          counts[i]++
          at += 5
        }
        tail = text.slice(-4)
        if (counts[i] >= expect) check()
      })
    })
    req.end()
  }
  process.on('message', (m) => {
    expect = m.expect
    check()
  })
}

async function ssePart() {
  const bundle = await build({
    stdin: { contents: "export { createBus } from '@tidings/core'\nexport { sseEndpoint } from './packages/node-adapter/src/sse/index.ts'", resolveDir: root, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'error', tsconfig: `${root}tsconfig.json`,
    define: { 'process.env.NODE_ENV': '"production"' }, external: ['valibot', '@valibot/to-json-schema'],
  })
  const bundled = join(tmpdir(), `tidings-bridges-bench-${process.pid}.mjs`)
  writeFileSync(bundled, bundle.outputFiles[0].text)
  const { createBus, sseEndpoint } = await import(bundled)
  unlinkSync(bundled)
  const bus = createBus({ source: '/bench' })
  const endpoint = sseEndpoint(bus, { path: '/events', heartbeatMs: 60_000 })
  const server = createServer(endpoint)
  server.maxConnections = CLIENTS + 10
  const port = await listen(server)
  const memory = () => process.memoryUsage()
  const before = memory()
  const child = fork(fileURLToPath(import.meta.url), ['--sse-clients', String(port)], { stdio: 'inherit' })
  const next = () => new Promise((resolve) => child.once('message', resolve))
  await next()
  const connected = memory()
  const payload = { cartId: 'c-1', items: 3, total: 42.5 }
  let peak = connected.rss
  const start = performance.now()
  const done = next()
  child.send({ expect: SSE_EVENTS })
  for (let i = 0; i < SSE_EVENTS; i++) {
    bus.emit('cart.changed', payload)
    // Ten events per turn of the loop: the sockets drain between them, as with a live service.
    if (i % BURST === BURST - 1) {
      await new Promise((resolve) => setImmediate(resolve))
      peak = Math.max(peak, memory().rss)
    }
  }
  await done
  const ms = performance.now() - start
  const stats = endpoint.stats()
  child.kill()
  endpoint.close()
  server.closeAllConnections()
  server.close()
  const mb = (b) => (b / 1024 / 1024).toFixed(1)
  console.log(`\nsseEndpoint() fan-out: ${SSE_EVENTS} events to ${CLIENTS} clients (held by a child process)`)
  console.log('| events | clients | frames delivered | time | frames/s | events/s (all clients got it) | RSS before / 1,000 connected / peak (MB) | dropped |')
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|')
  console.log(`| ${SSE_EVENTS} | ${CLIENTS} | ${(SSE_EVENTS * CLIENTS).toLocaleString('en')} | ${ms.toFixed(0)} ms | ${Math.round((SSE_EVENTS * CLIENTS) / ms * 1000).toLocaleString('en')} | ${Math.round(SSE_EVENTS / ms * 1000).toLocaleString('en')} | ${mb(before.rss)} / ${mb(connected.rss)} / ${mb(peak)} | ${stats.dropped} |`)
}

const clientsAt = process.argv.indexOf('--sse-clients')
if (clientsAt >= 0) clientsChild(Number(process.argv[clientsAt + 1]))
else {
  if (!process.argv.includes('--sse-only')) await browserPart()
  if (!process.argv.includes('--browser-only')) await ssePart()
}
