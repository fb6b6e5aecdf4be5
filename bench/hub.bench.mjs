// Devtools hub, end to end: one producer (a bus with connectDevtools) → the hub → one viewer,
// each in its own process, as in real use. Reports events/s that reach the viewer at several
// offered rates, then the hub's memory while a viewer stalls (stops reading its socket).
// Imports the built packages: run `npm run build` first. Usage: node bench/hub.bench.mjs [--quick]
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ask } from './child.mjs'
import { performance } from 'node:perf_hooks'

const self = fileURLToPath(import.meta.url)
const role = process.argv[2]
const quick = process.argv.includes('--quick')


const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

const answer = (handlers) => process.on('message', async (m) => process.send({ id: m.id, ...(await handlers[m.type](m)) }))

if (role === 'hub') {
  const { startDevtoolsHub } = await import('@tidings/node')
  const hub = await startDevtoolsHub({ port: 0 })
  answer({
    url: () => ({ url: hub.url, wsUrl: hub.wsUrl }),
    mem: () => {
      globalThis.gc?.()
      const m = process.memoryUsage()
      return { rss: m.rss, heap: m.heapUsed, dropped: hub.stats().viewerDropped, cpu: cpuMs() }
    },
  })
} else if (role === 'viewer') {
  const { default: WebSocket } = await import('ws')
  const stalled = process.argv.includes('--stalled')
  const ws = new WebSocket(process.argv[3])
  let emitted = 0
  let dropped = 0
  ws.on('open', () => {
    ws.send(JSON.stringify({ v: 1, t: 'hello', role: 'viewer', backlog: false }))
    // A stalled viewer stops reading: TCP backpressure builds up in the hub.
    if (stalled) setTimeout(() => ws._socket.pause(), 100)
  })
  ws.on('message', (data) => {
    const frame = JSON.parse(data)
    if (frame.t === 'traffic') {
      for (const r of frame.records) if (r.k === 'emitted') emitted++
    } else if (frame.t === 'dropped') dropped = frame.count
  })
  answer({
    count: () => ({ emitted, dropped, cpu: cpuMs() }),
    ready: () => new Promise((resolve) => (ws.readyState === 1 ? resolve({}) : ws.once('open', () => setTimeout(() => resolve({}), 50)))),
  })
} else {
  const { createBus, connectDevtools, metrics, observe } = await import('@tidings/core')
  const { default: WebSocket } = await import('ws')
  const hub = fork(self, ['hub'], { execArgv: ['--expose-gc'] })
  const { url, wsUrl } = await ask(hub, { type: 'url' })
  const mib = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

  const run = async (rate, seconds, viewerArgs = []) => {
    const viewer = fork(self, ['viewer', wsUrl, ...viewerArgs])
    await ask(viewer, { type: 'ready' })
    // observe() for the traffic, metrics() for the metrics frames a producer sends every second.
    const bus = createBus({ source: '/bench' }, observe(), metrics())
    bus.on('order.placed', () => {}, { name: 'noop' })
    const conn = connectDevtools(bus, { url, WebSocket, name: 'bench', maxQueue: 50_000 })
    await conn.connected
    const before = await ask(viewer, { type: 'count' })
    const memBefore = await ask(hub, { type: 'mem' })
    const start = performance.now()
    const cpuStart = cpuMs()
    let sent = 0
    let memMid
    // Offered load: emit in 5 ms slices to reach `rate` events/s.
    while (performance.now() - start < seconds * 1000) {
      if (memMid === undefined && performance.now() - start > (seconds * 1000) / 2) memMid = await ask(hub, { type: 'mem' })
      const due = Math.floor(((performance.now() - start) / 1000) * rate)
      for (; sent < due; sent++) bus.emit('order.placed', { orderId: `o-${sent}`, amount: 42.5, currency: 'EUR', lines: 3 })
      await sleep(5)
    }
    const elapsed = (performance.now() - start) / 1000
    await sleep(500)
    const cpuProducer = cpuMs() - cpuStart
    const after = await ask(viewer, { type: 'count' })
    const memAfter = await ask(hub, { type: 'mem' })
    const stats = conn.stats()
    await conn.close()
    viewer.kill()
    return {
      rate, sent, elapsed,
      // CPU per event reached the viewer, in µs: what bounds throughput on an idle core.
      cpu: {
        producer: (cpuProducer * 1000) / sent,
        hub: ((memAfter.cpu - memBefore.cpu) * 1000) / Math.max(1, after.emitted - before.emitted),
        viewer: ((after.cpu - before.cpu) * 1000) / Math.max(1, after.emitted - before.emitted),
      },
      received: after.emitted - before.emitted,
      producerDropped: stats.dropped, hubDropped: memAfter.dropped - memBefore.dropped, memBefore, memMid, memAfter,
    }
  }

  const rates = quick ? [50_000] : [25_000, 50_000, 100_000, 200_000]
  const lines = ['### One producer → hub → one viewer', '', '| offered events/s | emitted | reached the viewer | end-to-end events/s | dropped (producer / hub) | CPU µs/event: producer / hub / viewer |', '|---:|---:|---:|---:|---:|---:|']
  for (const rate of rates) {
    const r = await run(rate, quick ? 2 : 3)
    lines.push(`| ${rate.toLocaleString('en')} | ${r.sent.toLocaleString('en')} | ${r.received.toLocaleString('en')} | ${Math.round(r.received / r.elapsed).toLocaleString('en')} | ${r.producerDropped} / ${r.hubDropped} | ${r.cpu.producer.toFixed(1)} / ${r.cpu.hub.toFixed(1)} / ${r.cpu.viewer.toFixed(1)} |`)
  }
  const stall = await run(100_000, quick ? 3 : 6, ['--stalled'])
  const seconds = quick ? 3 : 6
  lines.push('', `### Stalled viewer (stops reading its socket), 100,000 events/s offered for ${seconds} s`, '',
    '| hub memory | before | halfway | end |', '|---|---:|---:|---:|',
    `| RSS | ${mib(stall.memBefore.rss)} | ${mib(stall.memMid.rss)} | ${mib(stall.memAfter.rss)} |`,
    `| V8 heap used | ${mib(stall.memBefore.heap)} | ${mib(stall.memMid.heap)} | ${mib(stall.memAfter.heap)} |`,
    '', `Records the hub did not send to the stalled viewer (counted, reported in a \`dropped\` frame): ${stall.hubDropped.toLocaleString('en')}.`)
  console.log(lines.join('\n'))
  hub.kill()
}
