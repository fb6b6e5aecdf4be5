// The page and worker of bench/bridges.bench.mjs: each case against raw BroadcastChannel or
// postMessage of the same CloudEvents JSON object the bridge sends.
import * as v from 'valibot'
import { createBus, deadLetters, defineCatalog, defineEvent, toCloudEvent, transport } from '@tidings/core'
import { broadcastChannelBridge, messagePortBridge } from '@tidings/core/bridges'
import type { PortLike } from '@tidings/core/bridges'

const catalog = defineCatalog(
  defineEvent('cart.changed', { schema: v.object({ cartId: v.string(), items: v.number(), total: v.number() }) }),
  defineEvent('cart.totaled', { schema: v.object({ cartId: v.string(), items: v.number(), total: v.number() }) }),
)
const data = { cartId: 'c-1', items: 3, total: 42.5 }
const json = toCloudEvent(createBus({ catalog, source: '/raw' }).emit('cart.changed', data))
const bus = (source: string, bridge: Parameters<typeof transport>[0]) => createBus({ catalog, source }, transport(bridge), deadLetters())

type Sender = { send(): void; onArrive(fn: () => void): void; close(): Promise<void> }

/** Two ends on one channel name: the bridge's buses, or raw BroadcastChannels. */
const channelPair = (kind: 'bridge' | 'raw'): Sender => {
  const name = `bench-${Math.random()}`
  if (kind === 'raw') {
    const a = new BroadcastChannel(name)
    const b = new BroadcastChannel(name)
    return {
      send: () => a.postMessage(json),
      onArrive: (fn) => void (b.onmessage = fn),
      close: async () => (a.close(), b.close()),
    }
  }
  const a = bus('/a', broadcastChannelBridge(name))
  const b = bus('/b', broadcastChannelBridge(name))
  return {
    send: () => void a.emit('cart.changed', data),
    onArrive: (fn) => void b.on('cart.changed', fn),
    close: async () => void (await Promise.all([a.close(), b.close()])),
  }
}

/** The page's end of a worker that answers each cart.changed with a cart.totaled (bridge) or echoes (raw). */
const workerPair = (kind: 'bridge' | 'raw', worker: Worker): Sender => {
  worker.postMessage({ cmd: kind })
  if (kind === 'raw') {
    return {
      send: () => worker.postMessage(json),
      onArrive: (fn) => void (worker.onmessage = fn),
      close: async () => worker.terminate(),
    }
  }
  const page = bus('/page', messagePortBridge(worker as PortLike))
  return {
    send: () => void page.emit('cart.changed', data),
    onArrive: (fn) => void page.on('cart.totaled', fn),
    close: async () => (await page.close(), worker.terminate()),
  }
}

/** Events per second: `n` sent at once (by `burst`, else one `send` each), until the last one arrived. */
const throughput = async (pair: Sender, n: number, burst?: () => void) => {
  let got = 0
  const all = new Promise<void>((resolve) => pair.onArrive(() => void (++got === n && resolve())))
  const start = performance.now()
  if (burst) burst()
  else for (let i = 0; i < n; i++) pair.send()
  await all
  const ms = performance.now() - start
  await pair.close()
  return (n / ms) * 1000
}

/** Milliseconds from send to arrival, one event at a time. */
const latencies = async (pair: Sender, n: number) => {
  let arrived: () => void = () => {}
  pair.onArrive(() => arrived())
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const start = performance.now()
    await new Promise<void>((resolve) => {
      arrived = resolve
      pair.send()
    })
    out.push(performance.now() - start)
  }
  await pair.close()
  return out.sort((a, b) => a - b)
}

const newWorker = () => new Worker('/worker.js', { type: 'module' })

Object.assign(globalThis, {
  bench: {
    tabThroughput: (kind: 'bridge' | 'raw', n: number) => throughput(channelPair(kind), n),
    tabLatency: (kind: 'bridge' | 'raw', n: number) => latencies(channelPair(kind), n),
    workerThroughput: (kind: 'bridge' | 'raw', n: number) => {
      const worker = newWorker()
      // One way, worker → page: the worker sends n events on one command.
      return throughput(workerPair(kind, worker), n, () => worker.postMessage({ cmd: 'burst', n }))
    },
    workerLatency: (kind: 'bridge' | 'raw', n: number) => latencies(workerPair(kind, newWorker()), n),
  },
})

// In the worker: answer each event, with the bridge or raw.
if (typeof document === 'undefined') {
  const scope = globalThis as unknown as PortLike & { onmessage: ((e: MessageEvent) => void) | null }
  scope.onmessage = (e) => {
    if (e.data?.cmd === 'raw') {
      scope.onmessage = (m) => {
        if (m.data?.cmd === 'burst') for (let i = 0; i < m.data.n; i++) scope.postMessage(json)
        else scope.postMessage(m.data)
      }
    } else if (e.data?.cmd === 'bridge') {
      const w = bus('/worker', messagePortBridge(scope))
      w.on('cart.changed', (d) => void w.emit('cart.totaled', d))
      scope.onmessage = (m) => {
        if (m.data?.cmd === 'burst') for (let i = 0; i < m.data.n; i++) w.emit('cart.totaled', data)
      }
    }
  }
}
