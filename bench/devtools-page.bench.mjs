// The devtools page under load: a producer (a bus with connectDevtools, in its own process) →
// the hub → the built page in headless Chromium. The producer offers rising rates; for each the
// page's frame times and processing backlog are recorded. Then the page is filled to its 100,000
// retained events and its memory, scrolling and search are measured.
// Imports the built packages and page: run `npm run build` first. Usage: node bench/devtools-page.bench.mjs [--quick]
// (TIDINGS_DEVTOOLS_DIST=<dir> serves another build of the page instead.)
import { fork } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ask } from './child.mjs'
import { performance } from 'node:perf_hooks'

const self = fileURLToPath(import.meta.url)
const role = process.argv[2]
const quick = process.argv.includes('--quick')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))


if (role === 'producer') {
  const { causedBy, createBus, connectDevtools, metrics, observe } = await import('@tidings/core')
  const { default: WebSocket } = await import('ws')
  // observe() for the traffic, metrics() for the metrics frames the page shows.
  const bus = createBus({ source: '/bench-shop' }, observe(), metrics())
  bus.on('order.placed', () => {}, { name: 'fulfil' })
  bus.on('order.shipped', () => {}, { name: 'notify' })
  const conn = connectDevtools(bus, { url: process.argv[3], WebSocket, name: 'bench-shop', maxQueue: 50_000 })
  await conn.connected
  let n = 0
  // About 180 bytes of payload, as a small business event would carry.
  const emitOne = () => {
    const i = n++
    bus.emit(i % 4 === 3 ? 'order.shipped' : 'order.placed', {
      orderId: `A-${i}`, amount: (i % 997) + 0.5, currency: 'EUR',
      customer: { id: `c-${i % 5000}`, name: `Customer ${i % 5000}` }, lines: [{ sku: `SKU-${i % 300}`, qty: 1 + (i % 3) }],
    })
  }
  process.on('message', async (m) => {
    if (m.type === 'emit') {
      const start = performance.now()
      let sent = 0
      // Offered load: emit in 5 ms slices to reach `rate` events/s.
      while (performance.now() - start < m.seconds * 1000) {
        const due = Math.floor(((performance.now() - start) / 1000) * m.rate)
        for (; sent < due; sent++) emitOne()
        await sleep(5)
      }
      const elapsed = (performance.now() - start) / 1000
      process.send({ id: m.id, sent, elapsed, dropped: conn.stats().dropped })
    } else if (m.type === 'operation') {
      // One operation of `size` events: a root, then a chain in which every tenth event fans out from the root.
      const root = bus.emit('order.placed', { orderId: 'OP-1', amount: 1, currency: 'EUR' })
      let cause = root
      for (let i = 1; i < m.size; i++) cause = bus.emit(i % 2 ? 'order.shipped' : 'order.placed', { orderId: `OP-1-${i}` }, causedBy(i % 10 === 0 ? root : cause))
      process.send({ id: m.id, correlationid: root.id })
    } else if (m.type === 'stats') {
      process.send({ id: m.id, ...conn.stats() })
    }
  })
  process.send({ ready: true })
} else {
  const { startDevtoolsHub } = await import('@tidings/node')
  const { chromium } = await import('playwright')
  const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync']
  const fmt = (n) => Math.round(n).toLocaleString('en')
  const mib = (n) => `${(n / 2 ** 20).toFixed(0)} MiB`
  const percentile = (xs, q) => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : 0
  }

  // Resident memory of the page's renderer process (Linux /proc): its whole footprint, DOM, layout
  // and canvases included, not only its JS heap. The browser is found by a marker switch (Chromium
  // ignores unknown ones), its renderers by walking parent pids; the page's is the largest one
  // (the others are a spare renderer and the headless UI's).
  const marker = `--tidings-bench=${process.pid}`
  const kib = (status, field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024
  const pageRenderer = () => {
    if (!existsSync('/proc/self/status')) return undefined
    const procs = []
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const ppid = Number(/\) \S+ (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1])
        procs.push({ pid: Number(pid), ppid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), status: readFileSync(`/proc/${pid}/status`, 'utf8') })
      } catch {
        // The process ended while being read.
      }
    }
    const ours = new Set(procs.filter((p) => p.cmd.includes(marker)).map((p) => p.pid))
    for (let grew = true; grew;) {
      grew = false
      for (const p of procs) {
        if (ours.has(p.pid) || !ours.has(p.ppid)) continue
        ours.add(p.pid)
        grew = true
      }
    }
    const renderers = procs.filter((p) => ours.has(p.pid) && p.cmd.includes('--type=renderer') && !p.cmd.includes('--top-chrome-webui'))
    const page = renderers.sort((a, b) => kib(b.status, 'VmRSS') - kib(a.status, 'VmRSS'))[0]
    return page && { rss: kib(page.status, 'VmRSS'), private: kib(page.status, 'RssAnon') }
  }

  // TIDINGS_DEVTOOLS_DIST: another build of the page (an older version, to compare under the same load).
  const hub = await startDevtoolsHub({ port: 0, ...(process.env.TIDINGS_DEVTOOLS_DIST && { staticDir: process.env.TIDINGS_DEVTOOLS_DIST }) })
  const producer = fork(self, ['producer', hub.url])
  await new Promise((resolve) => producer.once('message', resolve))
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, marker] })
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')

  try {
    await page.goto(hub.url)
    await page.getByText('Live · 1 bus').waitFor({ timeout: 10_000 })
    // Frame times as the user sees them: the gap between animation frames.
    await page.evaluate(() => {
      const w = window
      w.benchFrames = []
      let last = performance.now()
      const loop = (t) => {
        w.benchFrames.push(t - last)
        last = t
        requestAnimationFrame(loop)
      }
      requestAnimationFrame(loop)
    })
    const pageStats = () => page.evaluate(() => window.tidingsDevtools.stats())
    const takeFrames = () => page.evaluate(() => window.benchFrames.splice(0))

    const step = async (rate, seconds, dropsBefore) => {
      await takeFrames()
      const before = await pageStats()
      const droppedBefore = hub.stats().viewerDropped
      const emitting = ask(producer, { type: 'emit', rate, seconds })
      let maxBacklog = 0
      let done = false
      void emitting.then(() => (done = true))
      while (!done) {
        maxBacklog = Math.max(maxBacklog, (await pageStats()).backlog)
        await sleep(200)
      }
      const { sent, elapsed, dropped: droppedSoFar } = await emitting
      const dropped = droppedSoFar - dropsBefore
      const atEnd = await pageStats()
      const frames = await takeFrames()
      // What the page still has to catch up with once the producer stops.
      const settleStart = performance.now()
      let after = atEnd
      while (performance.now() - settleStart < 5000) {
        after = await pageStats()
        if (after.backlog === 0 && after.received - before.received >= sent - dropped) break
        await sleep(50)
      }
      return {
        rate, sent, elapsed, received: after.received - before.received, producerDropped: dropped,
        hubDropped: hub.stats().viewerDropped - droppedBefore, maxBacklog, backlogAtEnd: atEnd.backlog,
        catchUpMs: performance.now() - settleStart, p95: percentile(frames, 0.95), max: Math.max(0, ...frames),
      }
    }

    const rates = quick ? [5_000, 20_000] : [5_000, 10_000, 20_000, 30_000, 40_000, 50_000]
    const seconds = quick ? 2 : 3
    const results = []
    let producerDropsBefore = 0
    for (const rate of rates) {
      const r = await step(rate, seconds, producerDropsBefore)
      producerDropsBefore += r.producerDropped
      // Keeping up: frames under 50 ms (p95), nothing the hub had to skip, everything sent was
      // processed, and the backlog drained within half a second of the producer stopping.
      r.keepsUp = r.p95 < 50 && r.hubDropped === 0 && r.received >= r.sent - r.producerDropped && r.catchUpMs < 500
      results.push(r)
      console.log(`${fmt(rate)}/s: ${r.keepsUp ? 'keeps up' : 'behind'} (${JSON.stringify({ ...r, p95: +r.p95.toFixed(1), max: +r.max.toFixed(1) })})`)
    }

    // Fill to the retention limit, then measure memory, scrolling and search at 100k.
    let { kept } = await pageStats()
    while (kept < 100_000) {
      await ask(producer, { type: 'emit', rate: 20_000, seconds: 1 })
      await sleep(300)
      kept = (await pageStats()).kept
    }
    await sleep(1500)
    await cdp.send('HeapProfiler.collectGarbage')
    const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]))
    const renderer = pageRenderer()

    await page.locator('[role=listbox]').hover()
    await takeFrames()
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, -2400)
      await sleep(25)
    }
    const scrollFrames = await takeFrames()

    const searchStart = performance.now()
    await page.getByLabel('Search payloads').fill('customer 4242')
    await page.getByLabel('Search payloads').press('Enter')
    await page.waitForFunction(() => /^\d[\d,]* shown/.test(document.querySelector('.count')?.textContent ?? '') &&
      !document.querySelector('.count')?.textContent?.startsWith('100,000 shown'))
    const searchMs = performance.now() - searchStart
    const shown = await page.locator('.count').innerText()

    // The sequence diagram of a 200-event operation among the 100k kept: from the render that
    // lists the operations and builds the diagram to the DOM holding it, as the page itself reports.
    await page.getByLabel('Search payloads').fill('')
    await page.getByLabel('Search payloads').press('Enter')
    const { correlationid } = await ask(producer, { type: 'operation', size: 200 })
    await sleep(1500)
    const drawn = []
    for (let i = 0; i < (process.env.TIDINGS_DEVTOOLS_DIST ? 0 : 7); i++) {
      await page.evaluate(() => (location.hash = ''))
      await page.getByRole('tab', { name: 'Stream', selected: true }).waitFor()
      await page.evaluate((id) => (location.hash = `tab=sequence&op=${id}`), correlationid)
      const summary = page.getByTestId('sequence-summary')
      await summary.getByText(/drawn in/).waitFor({ timeout: 10_000 })
      const text = await summary.innerText()
      if (!text.startsWith('200 events')) throw new Error(`The sequence diagram shows ${text}, not the 200-event operation`)
      drawn.push(Number(/drawn in (\d+) ms/.exec(text)[1]))
    }

    // The rates below the first one the page fell behind at. An offered rate counts only when it
    // reached the page: above some rate the producer process (sharing the machine with the
    // browser) drops records itself, and the page sees less.
    const firstMiss = results.findIndex((r) => !r.keepsUp)
    const keptUp = firstMiss < 0 ? results : results.slice(0, firstMiss)
    const best = keptUp.filter((r) => r.producerDropped === 0).reduce((m, r) => Math.max(m, r.rate), 0)
    const bestProcessed = keptUp.reduce((m, r) => Math.max(m, r.received / r.elapsed), 0)
    const lines = [
      `### Rising rates (${seconds} s each), one producer → hub → the page`,
      '',
      '| offered events/s | emitted | processed by the page | processed events/s | records dropped (producer / hub) | max backlog (frames) | catch-up after | frame p95 / max | keeps up |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|:--:|',
      ...results.map((r) => `| ${fmt(r.rate)} | ${fmt(r.sent)} | ${fmt(r.received)} | ${fmt(r.received / r.elapsed)} | ${fmt(r.producerDropped)} / ${fmt(r.hubDropped)} | ${r.maxBacklog} | ${fmt(r.catchUpMs)} ms | ${r.p95.toFixed(1)} / ${r.max.toFixed(0)} ms | ${r.keepsUp ? 'yes' : 'no'} |`),
      '',
      `Highest offered rate the page kept up with (every lower rate too, all of it reaching the page): **${fmt(best)} events/s** (target ≥ 20,000);`,
      `highest rate it processed at those steps: **${fmt(bestProcessed)} events/s**.`,
      '',
      '### With 100,000 events retained',
      '',
      '| measure | value |',
      '|---|---:|',
      `| JS heap used after GC | ${mib(metrics.JSHeapUsedSize)} (target < 300 MB) |`,
      `| JS heap total | ${mib(metrics.JSHeapTotalSize)} |`,
      ...(renderer ? [`| the page's renderer process: resident (RSS) / private (RssAnon) | ${mib(renderer.rss)} / ${mib(renderer.private)} |`] : []),
      `| DOM nodes | ${fmt(metrics.Nodes)} |`,
      `| scrolling up through the list: frame p95 / max | ${percentile(scrollFrames, 0.95).toFixed(1)} / ${Math.max(...scrollFrames).toFixed(0)} ms |`,
      `| payload search over every kept event (typed → list updated) | ${fmt(searchMs)} ms (${shown}) |`,
      ...(drawn.length ? [`| sequence diagram of a 200-event operation (operations listed, diagram built and in the DOM), median of ${drawn.length} / max | ${percentile(drawn, 0.5)} / ${Math.max(...drawn)} ms (target < 100 ms) |`] : []),
    ]
    console.log(`\n${lines.join('\n')}`)
  } finally {
    await browser.close()
    producer.kill()
    await hub.close()
  }
}
