// Encode + decode of a typical 261-byte envelope against raw JSON.stringify / JSON.parse of the
// same object, in one process. The codec checks every CloudEvents attribute, bounds size and depth,
// refuses "__proto__" keys and (validate: true) checks the payload against its valibot schema.
// Envelopes a bus built take the trusted encode path (own-json.ts); a plain object with toJSON,
// as other code may hand in, takes the full one. Ratios are the median of per-round ratios
// (each case and its baseline ran a moment apart in the same round), then their range.
import { loadavg } from 'node:os'
import * as v from 'valibot'
import { createBus, createCodec, defineCatalog, defineEvent } from '../packages/core/dist/esm/index.js'
import { compare, fmt, pairedRatio } from './harness.mjs'

// A small schema: four flat fields, as many event payloads are.
const OrderPlaced = defineEvent('order.placed', {
  version: 2,
  schema: v.object({ orderId: v.string(), customerId: v.string(), amount: v.number(), currency: v.string() }),
  upcast: { 1: (old) => ({ ...old, currency: 'EUR' }) },
})
const catalog = defineCatalog(OrderPlaced)
const validating = createCodec(catalog)
const trusting = createCodec(catalog, { validate: false })

const wire = JSON.stringify({
  specversion: '1.0', id: 'k3v9x2m7q1wz-1f', source: '/shop/checkout', type: 'order.placed',
  time: '2025-03-14T09:26:53.589Z', dataversion: 2,
  data: { orderId: 'o-104255', customerId: 'c-88121', amount: 129.5, currency: 'EUR' },
  correlationid: 'k3v9x2m7q1wz-1a',
})
const plain = JSON.parse(wire)
const bus = createBus({ catalog, source: '/shop/checkout' })
const built = bus.emit('order.placed', { ...plain.data }, { id: plain.id, time: plain.time, correlationid: plain.correlationid })
const decoded = validating.decode(wire)
const foreign = { ...decoded, extensions: undefined, toJSON: () => decoded.toJSON() }

for (const envelope of [built, decoded, foreign]) {
  if (validating.encode(envelope) !== wire) throw new Error(`encode does not reproduce the wire text: ${validating.encode(envelope)}`)
}
if (JSON.stringify(validating.decode(validating.encode(built))) !== wire) throw new Error('round trip is lossy')

let sink = 0
const roundTrip = [
  { name: 'raw JSON.stringify + JSON.parse', fn: () => { sink += JSON.parse(JSON.stringify(plain)).dataversion } },
  { name: 'codec encode (bus-built) + decode (validate: true)', fn: () => { sink += validating.decode(validating.encode(built)).dataversion } },
  { name: 'codec encode (bus-built) + decode (validate: false)', fn: () => { sink += trusting.decode(trusting.encode(built)).dataversion } },
  { name: 'codec encode (foreign) + decode (validate: true)', fn: () => { sink += validating.decode(validating.encode(foreign)).dataversion } },
]
// Each text is read in its middle, as a write would read it: a string built by concatenation is
// copied into one piece then, and that copy is part of what encoding costs.
const read = (text) => text.charCodeAt(text.length >> 1)
const encodeCases = [
  { name: 'raw JSON.stringify', fn: () => { sink += read(JSON.stringify(plain)) } },
  { name: 'codec encode, bus-built envelope', fn: () => { sink += read(validating.encode(built)) } },
  { name: 'codec encode, decoded envelope', fn: () => { sink += read(validating.encode(decoded)) } },
  { name: 'codec encode, foreign envelope (full check)', fn: () => { sink += read(validating.encode(foreign)) } },
]
const decodeCases = [
  { name: 'raw JSON.parse', fn: () => { sink += JSON.parse(wire).dataversion } },
  { name: 'codec decode (validate: true)', fn: () => { sink += validating.decode(wire).dataversion } },
  { name: 'codec decode (validate: false)', fn: () => { sink += trusting.decode(wire).dataversion } },
]

/** Rows in the order given; the ratio is paired by round against the first row. */
const pairedTable = (title, rows) => {
  const lines = [`### ${title}`, '', `| case | ops/s (median) | range | vs ${rows[0].name} (paired median, range) |`, '|---|---:|---:|---:|']
  for (const r of rows) {
    const p = pairedRatio(r, rows[0])
    lines.push(`| ${r.name} | ${fmt(r.hz)} | ${fmt(r.min)} – ${fmt(r.max)} | ${p.ratio.toFixed(2)}× (${p.min.toFixed(2)}–${p.max.toFixed(2)}) |`)
  }
  return lines.join('\n')
}

const options = { rounds: 15, roundMs: 200, warmupMs: 300 }
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ')
console.log(`Envelope: ${Buffer.byteLength(wire)} bytes of JSON, Node ${process.version}, load average ${load()}\n`)
console.log(pairedTable('encode + decode', await compare(roundTrip, options)))
console.log()
console.log(pairedTable('encode', await compare(encodeCases, options)))
console.log()
console.log(pairedTable('decode', await compare(decodeCases, options)))
console.log(`\nload average ${load()}`)
if (sink === 0) console.log('')
