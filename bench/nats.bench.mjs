// NATS transport, end to end: bus → JetStream → bus, against the raw JetStream client
// publishing and consuming the same bytes, in the same run, on a nats-server of its own (JetStream
// on, file storage, loopback). Throughput: N events emitted at once, timed until the last one is
// handled on the other side; latency: one event at a time, emit → handler. Each case runs in
// rounds with the order alternated; figures are medians over rounds.
// Imports the built packages: run `npm run build` first. Usage: node bench/nats.bench.mjs [--quick]
import { performance } from 'node:perf_hooks'
import { createBus, deadLetters, transport } from '@tidings/core'
import { natsTransport } from '@tidings/nats'
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { startNatsServer } from '../scripts/start/nats-server.mjs'

/** Milliseconds from send to arrival of `n` events, one at a time. */
const roundTrips = async (n, send) => {
  const out = []
  for (let i = 0; i < n; i++) {
    const start = performance.now()
    await new Promise((resolve) => send(resolve))
    out.push(performance.now() - start)
  }
  return out
}

const quick = process.argv.includes('--quick')
const EVENTS = quick ? 5_000 : 20_000
const ROUNDS = quick ? 3 : 5
const PINGS = quick ? 300 : 1_000
// The raw publisher keeps as many publishes awaiting their ack as the transport does (its default).
const WINDOW = 1024
const data = { orderId: 'o-12345678', amount: 99.5, currency: 'EUR', items: [{ sku: 'SKU-1', qty: 2 }, { sku: 'SKU-2', qty: 1 }] }

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]
let scopes = 0
const scope = () => ({ stream: `BENCH${++scopes}`, subjectPrefix: `bench${scopes}` })

/** Resolves after `count` calls of the returned function. */
const counter = (count) => {
  let seen = 0
  let done
  const all = new Promise((resolve) => (done = resolve))
  return { hit: () => ++seen === count && done(), all }
}

/** The bus case: a producer bus and a consumer bus, each with its own connection. */
const busPair = async (named) => {
  const s = scope()
  // transport() needs deadLetters(): a delivery the transport gives up on becomes a dead letter.
  const producer = createBus({}, transport(natsTransport({ servers: server.url, ...s })), deadLetters())
  const consumer = createBus({}, transport(natsTransport({ servers: server.url, ...s })), deadLetters())
  let onEvent = () => {}
  consumer.on('order.placed', (d, e) => onEvent(d, e), named ? { name: 'bench' } : undefined)
  await Promise.all([producer.ready, consumer.ready])
  return {
    async throughput(n) {
      const c = counter(n)
      onEvent = c.hit
      const start = performance.now()
      for (let i = 0; i < n; i++) producer.emit('order.placed', data)
      await c.all
      return (n / (performance.now() - start)) * 1000
    },
    latency: (n) => roundTrips(n, (arrived) => {
      onEvent = arrived
      producer.emit('order.placed', data)
    }),
    close: () => Promise.all([producer.close(), consumer.close()]),
  }
}

/** The raw case: the same CloudEvents JSON, published with Nats-Msg-Id and read back with JSON.parse. */
const rawPair = async (named) => {
  const s = scope()
  // The connection options the transport sets by default.
  const options = { servers: server.url, noAsyncTraces: true }
  const [pub, sub] = await Promise.all([connect(options), connect(options)])
  const jsm = await jetstreamManager(pub)
  await jsm.streams.add({ name: s.stream, subjects: [`${s.subjectPrefix}.>`] })
  const js = jsm.jetstream()
  const subJs = (await jetstreamManager(sub)).jetstream()
  let consumer
  if (named) {
    await jsm.consumers.add(s.stream, { durable_name: 'bench', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, filter_subject: `${s.subjectPrefix}.order.placed`, max_deliver: 5 })
    consumer = await subJs.consumers.get(s.stream, 'bench')
  } else {
    consumer = await subJs.consumers.get(s.stream, { filter_subjects: `${s.subjectPrefix}.>`, deliver_policy: DeliverPolicy.New })
  }
  let onEvent = () => {}
  const messages = await consumer.consume({ callback: (m) => {
    JSON.parse(m.string())
    if (named) m.ack()
    onEvent()
  } })
  const subject = `${s.subjectPrefix}.order.placed`
  let seq = 0
  const bytes = () => JSON.stringify({ specversion: '1.0', id: `raw-${++seq}`, source: '/tidings', type: 'order.placed', time: new Date().toISOString(), dataversion: 1, data })
  return {
    async throughput(n) {
      const c = counter(n)
      onEvent = c.hit
      const start = performance.now()
      let sent = 0
      let inFlight = 0
      await new Promise((resolve) => {
        const next = () => {
          while (inFlight < WINDOW && sent < n) {
            inFlight++
            const id = `raw-${++seq}`
            js.publish(subject, bytes(), { msgID: id }).then(() => {
              inFlight--
              if (sent < n) next()
              else if (inFlight === 0) resolve()
            })
            sent++
          }
        }
        next()
      })
      await c.all
      return (n / (performance.now() - start)) * 1000
    },
    latency: (n) => roundTrips(n, (arrived) => {
      onEvent = arrived
      void js.publish(subject, bytes(), { msgID: `raw-${++seq}` })
    }),
    close: async () => {
      await messages.close()
      await Promise.all([pub.close(), sub.close()])
    },
  }
}

const server = await startNatsServer()
const fmt = (hz) => `${(hz / 1000).toFixed(1)} k/s`
const ms = (x) => `${x.toFixed(2)} ms`
const rows = []
for (const named of [false, true]) {
  const label = named ? 'named subscription (durable consumer, acks)' : 'unnamed subscription (ordered consumer)'
  const cases = { bus: await busPair(named), raw: await rawPair(named) }
  // Warm-up: JIT, stream files, consumer state.
  for (const c of Object.values(cases)) {
    await c.throughput(Math.min(EVENTS, 5_000))
    await c.latency(100)
  }
  const hz = { bus: [], raw: [] }
  const lat = { bus: [], raw: [] }
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of r % 2 ? ['raw', 'bus'] : ['bus', 'raw']) hz[name].push(await cases[name].throughput(EVENTS))
  }
  for (let r = 0; r < 2; r++) {
    for (const name of r % 2 ? ['raw', 'bus'] : ['bus', 'raw']) lat[name].push(...(await cases[name].latency(PINGS / 2)))
  }
  for (const c of Object.values(cases)) await c.close()
  rows.push({ label, hz: { bus: median(hz.bus), raw: median(hz.raw) }, range: hz, p50: { bus: percentile(lat.bus, 0.5), raw: percentile(lat.raw, 0.5) }, p99: { bus: percentile(lat.bus, 0.99), raw: percentile(lat.raw, 0.99) } })
}
await server.dispose()

console.log(`### NATS transport, bus → JetStream → bus (${EVENTS.toLocaleString('en')} events per round, ${ROUNDS} rounds; latency over ${PINGS.toLocaleString('en')} events one at a time)\n`)
console.log('| subscription | bus events/s | raw events/s | bus / raw | bus p50 / p99 | raw p50 / p99 |')
console.log('|---|---:|---:|---:|---:|---:|')
for (const r of rows) {
  console.log(`| ${r.label} | ${fmt(r.hz.bus)} (${fmt(Math.min(...r.range.bus))} – ${fmt(Math.max(...r.range.bus))}) | ${fmt(r.hz.raw)} (${fmt(Math.min(...r.range.raw))} – ${fmt(Math.max(...r.range.raw))}) | ${(r.hz.bus / r.hz.raw).toFixed(2)}× | ${ms(r.p50.bus)} / ${ms(r.p99.bus)} | ${ms(r.p50.raw)} / ${ms(r.p99.raw)} |`)
}
