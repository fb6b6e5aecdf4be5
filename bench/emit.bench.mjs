// Synchronous emit throughput of the kernel bus and of a standard() bus against peer emitters,
// at 1 and at 10 listeners. Each configuration runs in its own child process beside mitt
// (bench/isolate.mjs says why); every library gets the same payload object and handlers that do
// the same work (add a number to a sink).
import { EventEmitter as NodeEmitter } from 'node:events'
import EventEmitter3 from 'eventemitter3'
import mitt from 'mitt'
import { createNanoEvents } from 'nanoevents'
import { EventEmitter as Tseep } from 'tseep'
import * as v from 'valibot'
import { createBus, defineCatalog, defineEvent, standard } from '../packages/core/dist/esm/index.js'
import { compare, fmt, pairedRatio } from './harness.mjs'
import { childJob, inChild } from './isolate.mjs'

const TYPE = 'bench.tick'
const payload = { n: 1 }
const catalog = defineCatalog(defineEvent(TYPE, { schema: v.object({ n: v.number() }) }))

// Masked so it stays a small integer: once past 2^30 it would be a heap number and every add would allocate.
const MASK = 0xffffff
let sink = 0
// A fresh function per subscription, as an app's distinct handlers would be.
const handler = () => (data) => {
  sink = (sink + data.n) & MASK
}

// Each configuration: how to make it, subscribe one handler, and emit once.
const configs = {
  'tidings (typed, validate: false)': () => {
    const bus = createBus({ catalog, validate: false })
    return { on: (h) => bus.on(TYPE, h), emit: () => bus.emit(TYPE, payload) }
  },
  'tidings (untyped)': () => {
    const bus = createBus()
    return { on: (h) => bus.on(TYPE, h), emit: () => bus.emit(TYPE, payload) }
  },
  'tidings + standard() (typed, validate: false)': () => {
    const bus = createBus({ catalog, validate: false }, standard())
    return { on: (h) => bus.on(TYPE, h), emit: () => bus.emit(TYPE, payload) }
  },
  eventemitter3: () => {
    const ee = new EventEmitter3()
    return { on: (h) => ee.on(TYPE, h), emit: () => ee.emit(TYPE, payload) }
  },
  tseep: () => {
    const ee = new Tseep()
    return { on: (h) => ee.on(TYPE, h), emit: () => ee.emit(TYPE, payload) }
  },
  nanoevents: () => {
    const ee = createNanoEvents()
    return { on: (h) => ee.on(TYPE, h), emit: () => ee.emit(TYPE, payload) }
  },
  'node:events': () => {
    const ee = new NodeEmitter()
    return { on: (h) => ee.on(TYPE, h), emit: () => ee.emit(TYPE, payload) }
  },
}
const mittConfig = () => {
  const m = mitt()
  return { on: (h) => m.on(TYPE, h), emit: () => m.emit(TYPE, payload) }
}

const options = { rounds: 11, roundMs: 150, warmupMs: 250 }

/** In a child: one configuration and mitt, side by side. */
const measure = async ({ name, listeners }) => {
  const cases = [[name, configs[name]()], ['mitt', mittConfig()]].map(([caseName, target]) => {
    for (let i = 0; i < listeners; i++) target.on(handler())
    return { name: caseName, fn: target.emit }
  })
  // Each case must reach every listener once per call, or its figure means nothing.
  for (const c of cases) {
    const before = sink
    c.fn()
    if (((sink - before) & MASK) !== listeners) throw new Error(`${c.name} did not call its ${listeners} listener(s)`)
  }
  const [row, peer] = await compare(cases, options)
  return { name, hz: row.hz, mitt: peer.hz, ...pairedRatio(row, peer) }
}

const job = childJob()
if (job !== undefined) console.log(JSON.stringify(await measure(job)))
else {
  // The kernel must match mitt; a bus with every in-process feature may cost up to 30 % more.
  const targetOf = (name) => (name.includes('standard()') ? 0.7 : name.startsWith('tidings') ? 1.0 : undefined)
  const file = new URL(import.meta.url).pathname
  const failures = []
  console.log(`## emit (Node ${process.version}; one child process per configuration, beside mitt)\n`)
  for (const listeners of [1, 10]) {
    const rows = Object.keys(configs).map((name) => inChild(file, { name, listeners }))
    console.log(`### emit, ${listeners} listener${listeners === 1 ? '' : 's'}\n`)
    console.log('| case | ops/s (median) | mitt, same process | vs mitt (paired median) | range |')
    console.log('|---|---:|---:|---:|---:|')
    for (const r of rows.sort((a, b) => b.ratio - a.ratio)) {
      console.log(`| ${r.name} | ${fmt(r.hz)} | ${fmt(r.mitt)} | ${r.ratio.toFixed(2)}× | ${r.min.toFixed(2)}× – ${r.max.toFixed(2)}× |`)
      const target = targetOf(r.name)
      if (target !== undefined && r.ratio < target) failures.push(`${r.name} at ${listeners}: ${r.ratio.toFixed(2)}×`)
    }
    console.log()
  }
  const targets = 'emit ≥ 1.0× mitt (kernel), ≥ 0.7× mitt (standard())'
  console.log(failures.length ? `Targets ${targets}: not met (${failures.join('; ')})` : `Targets ${targets}: met`)
}
