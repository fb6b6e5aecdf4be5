// Validated emit with a catalog of each Standard Schema library: the same payload and the same
// handler, one child process per library (bench/isolate.mjs says why), beside mitt and beside the
// library's own `~standard.validate` call, so the bus's share of the cost can be read off.
import { type } from 'arktype'
import { Schema } from 'effect'
import mitt from 'mitt'
import * as v from 'valibot'
import { z } from 'zod'
import { createBus, defineCatalog, defineEvent } from '../packages/core/dist/esm/index.js'
import { compare, fmt, pairedRatio } from './harness.mjs'
import { childJob, inChild } from './isolate.mjs'

const TYPE = 'order.placed'
const payload = { orderId: 'o-1', amount: 42, currency: 'EUR' }

const schemas = {
  valibot: () => v.object({ orderId: v.string(), amount: v.number(), currency: v.string() }),
  zod: () => z.object({ orderId: z.string(), amount: z.number(), currency: z.string() }),
  arktype: () => type({ orderId: 'string', amount: 'number', currency: 'string' }),
  effect: () => Schema.toStandardSchemaV1(Schema.Struct({ orderId: Schema.String, amount: Schema.Number, currency: Schema.String })),
}

let sink = 0
const handler = (data) => {
  sink = (sink + data.amount) & 0xffffff
}

const options = { rounds: 11, roundMs: 150, warmupMs: 250 }

/** In a child: a validating bus of one library, the same bus without validation, that library's validate alone, and mitt. */
const measure = async ({ library }) => {
  const schema = schemas[library]()
  const catalog = defineCatalog(defineEvent(TYPE, { schema }))
  const bus = createBus({ catalog })
  bus.on(TYPE, handler)
  const unvalidated = createBus({ catalog, validate: false })
  unvalidated.on(TYPE, handler)
  const m = mitt()
  m.on(TYPE, handler)
  const validate = schema['~standard'].validate
  const before = sink
  bus.emit(TYPE, payload)
  if (sink === before) throw new Error(`${library}: the bus did not deliver`)
  if (validate(payload).issues) throw new Error(`${library}: the payload does not validate`)
  const [emit, plain, alone, peer] = await compare([
    { name: 'emit', fn: () => bus.emit(TYPE, payload) },
    { name: 'emit, validate: false', fn: () => unvalidated.emit(TYPE, payload) },
    { name: 'validate', fn: () => validate(payload) },
    { name: 'mitt', fn: () => m.emit(TYPE, payload) },
  ], options)
  return { library, emit: emit.hz, plain: plain.hz, validate: alone.hz, mitt: peer.hz, ...pairedRatio(emit, peer) }
}

const job = childJob()
if (job !== undefined) console.log(JSON.stringify(await measure(job)))
else {
  const file = new URL(import.meta.url).pathname
  console.log(`## validated emit by schema library (Node ${process.version}; one child process per library, 1 listener)\n`)
  console.log('| library | emit, validated (median) | same bus, validate: false | validation adds | ~standard.validate alone | validated emit vs mitt (paired median) |')
  console.log('|---|---:|---:|---:|---:|---:|')
  const ns = (hz) => 1e9 / hz
  for (const library of Object.keys(schemas)) {
    const r = inChild(file, { library })
    console.log(`| ${library} | ${fmt(r.emit)} | ${fmt(r.plain)} | ${(ns(r.emit) - ns(r.plain)).toFixed(0)} ns | ${ns(r.validate).toFixed(0)} ns | ${r.ratio.toFixed(2)}× |`)
  }
}
