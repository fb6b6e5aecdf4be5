// Encode + decode of a typical 250-byte envelope against raw JSON.stringify / JSON.parse of the
// same object, in one process. The codec checks every CloudEvents attribute, bounds size and depth,
// refuses "__proto__" keys and (validate: true) checks the payload against its valibot schema.
import * as v from 'valibot'
import { createCodec, defineCatalog, defineEvent } from '../packages/core/dist/esm/index.js'
import { compare, table } from './harness.mjs'

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
const envelope = validating.decode(wire)

if (validating.encode(envelope) !== wire) throw new Error('encode does not reproduce the wire text')
if (JSON.stringify(validating.decode(validating.encode(envelope))) !== wire) throw new Error('round trip is lossy')

let sink = 0
const cases = [
  { name: 'raw JSON.stringify + JSON.parse', fn: () => { sink += JSON.parse(JSON.stringify(plain)).dataversion } },
  { name: 'codec encode + decode (validate: true)', fn: () => { sink += validating.decode(validating.encode(envelope)).dataversion } },
  { name: 'codec encode + decode (validate: false)', fn: () => { sink += trusting.decode(trusting.encode(envelope)).dataversion } },
]
const encodeCases = [
  { name: 'raw JSON.stringify', fn: () => { sink += JSON.stringify(plain).length } },
  { name: 'codec encode', fn: () => { sink += validating.encode(envelope).length } },
]
const decodeCases = [
  { name: 'raw JSON.parse', fn: () => { sink += JSON.parse(wire).dataversion } },
  { name: 'codec decode (validate: true)', fn: () => { sink += validating.decode(wire).dataversion } },
  { name: 'codec decode (validate: false)', fn: () => { sink += trusting.decode(wire).dataversion } },
]

const options = { rounds: 9, roundMs: 250, warmupMs: 300 }
console.log(`Envelope: ${Buffer.byteLength(wire)} bytes of JSON, Node ${process.version}\n`)
console.log(table('encode + decode', await compare(cases, options), 'raw JSON.stringify + JSON.parse'))
console.log()
console.log(table('encode', await compare(encodeCases, options), 'raw JSON.stringify'))
console.log()
console.log(table('decode', await compare(decodeCases, options), 'raw JSON.parse'))
if (sink === 0) console.log('')
