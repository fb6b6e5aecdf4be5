import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { createCodec, defineCatalog, defineEvent, fromCloudEvent, fromCloudEventBatch, replayLog } from '@tidings/core'
import type { Envelope } from '@tidings/core'
import { orderLine, thrown } from './catalog'

const untyped = createCodec()

/** An envelope carrying `data` as is, built without emit() (whose own checks may refuse it first). */
const carrying = (data: unknown, extensions?: Record<string, unknown>): Envelope => {
  const envelope = untyped.decode(orderLine({ type: 'a.b', data: null }))
  Object.assign(envelope, { data, extensions })
  return envelope
}

/** Each level refers twice to the next: `levels` objects that stand for 2^levels leaves. */
const dag = (levels: number): Record<string, unknown> => {
  let node: Record<string, unknown> = { leaf: 1 }
  for (let i = 0; i < levels; i++) node = { l: node, r: node }
  return node
}

/** Every kind of thing user code throws. */
const throwables = (): [string, () => unknown][] => {
  const circular: Record<string, unknown> = { name: 'loop' }
  circular.self = circular
  const getters = Object.defineProperty({}, 'message', { enumerable: true, get: () => { throw new Error('getter') } })
  const noPrimitive = Object.create(null) as object
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  const hostileProxy = new Proxy({}, { getPrototypeOf: () => { throw new Error('trap') }, ownKeys: () => { throw new Error('trap') } })
  const badError = new Error('x')
  Object.defineProperty(badError, 'message', { get: () => { throw new Error('message getter') } })
  return [
    ['an Error', () => new RangeError('boom')],
    ['a string', () => 'plain string'],
    ['a BigInt', () => 10n],
    ['a circular object', () => circular],
    ['an object whose getters throw', () => getters],
    ['an object without a prototype', () => noPrimitive],
    ['a revoked proxy', () => proxy],
    ['a proxy whose traps throw', () => hostileProxy],
    ['an Error whose message getter throws', () => badError],
    ['null', () => null],
    ['undefined', () => undefined],
    ['a symbol', () => Symbol('s')],
    ['a function', () => function named() {}],
    ['a graph of shared references', () => dag(60)],
  ]
}

describe('encode() refuses what JSON cannot carry faithfully', () => {
  const cases: [string, unknown, string, string][] = [
    ['NaN', { amount: NaN }, 'not-finite', 'data.amount'],
    ['Infinity', { total: { amount: Infinity } }, 'not-finite', 'data.total.amount'],
    ['-Infinity in an array', { items: [1, 2, -Infinity] }, 'not-finite', 'data.items[2]'],
    ['NaN as the whole payload', NaN, 'not-finite', 'data'],
    ['a BigInt', { id: 12n }, 'bigint', 'data.id'],
    ['a BigInt in an array', [[1n]], 'bigint', 'data[0][0]'],
    ['a function', { callback: () => 1 }, 'function', 'data.callback'],
    ['a function in an array', [() => 1], 'function', 'data[0]'],
    ['a symbol', { tag: Symbol('x') }, 'symbol', 'data.tag'],
    ['a Map', { lookup: new Map([[1, 2]]) }, 'not-json', 'data.lookup'],
    ['a Set', { tags: new Set(['a']) }, 'not-json', 'data.tags'],
    ['a nested typed array', { bytes: new Uint8Array(2) }, 'not-json', 'data.bytes'],
    ['a key that is not an identifier', { 'a b': NaN }, 'not-finite', 'data["a b"]'],
  ]
  for (const [what, data, reason, field] of cases) {
    it(`${what}: E_ENCODE naming "${field}"`, () => {
      const error = thrown(() => untyped.encode(carrying(data)))
      expect(error.code).toBe('E_ENCODE')
      expect(error.details).toMatchObject({ reason, field })
      expect(error.message).toContain(field)
    })
  }

  it('refuses a cycle at any depth, naming where it closes', () => {
    const order: Record<string, unknown> = { lines: [{ sku: 'a' }] }
    ;((order.lines as object[])[0] as Record<string, unknown>).order = order
    expect(thrown(() => untyped.encode(carrying(order)))).toMatchObject({ code: 'E_ENCODE', details: { reason: 'cycle', field: 'data.lines[0].order' } })
    const array: unknown[] = [1]
    array.push(array)
    expect(thrown(() => untyped.encode(carrying(array)))).toMatchObject({ code: 'E_ENCODE', details: { reason: 'cycle', field: 'data[1]' } })
  })

  it('refuses non-finite numbers and BigInts in extensions', () => {
    expect(thrown(() => untyped.encode(carrying(1, { retries: Infinity })))).toMatchObject({ code: 'E_ENCODE', details: { reason: 'not-finite', field: 'retries' } })
    expect(thrown(() => untyped.encode(carrying(1, { big: 5n })))).toMatchObject({ code: 'E_ENCODE', details: { reason: 'bigint', field: 'big' } })
  })

  it('refuses a graph of shared references that would be too large, as soon as it is: 60 levels', { timeout: 1000 }, () => {
    const error = thrown(() => untyped.encode(carrying(dag(60))))
    expect(error).toMatchObject({ code: 'E_ENCODE', details: { reason: 'too-large' } })
  })

  it('writes a small graph of shared references as JSON does: once per reference', () => {
    const address = { city: 'Lyon' }
    const line = untyped.encode(carrying({ billing: address, shipping: address }))
    expect(JSON.parse(line).data).toEqual({ billing: { city: 'Lyon' }, shipping: { city: 'Lyon' } })
  })

  it('keeps what JSON carries: undefined members left out, Dates as text, class instances as their fields', () => {
    class Money {
      constructor(readonly amount: number, readonly currency: string) {}
    }
    const when = new Date(Date.UTC(2025, 0, 1))
    const line = untyped.encode(carrying({ skip: undefined, when, price: new Money(5, 'EUR'), nothing: null }))
    expect(JSON.parse(line).data).toEqual({ when: '2025-01-01T00:00:00.000Z', price: { amount: 5, currency: 'EUR' }, nothing: null })
  })

  it('turns a throwing getter or toJSON in the payload into E_ENCODE', () => {
    const getter = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw 42n } })
    expect(thrown(() => untyped.encode(carrying(getter)))).toMatchObject({ code: 'E_ENCODE', details: { reason: 'unserializable' } })
    class Moment {
      toJSON(): string {
        throw Symbol('no')
      }
    }
    expect(thrown(() => untyped.encode(carrying({ when: new Moment() })))).toMatchObject({ code: 'E_ENCODE', details: { reason: 'unserializable' } })
    expect(JSON.parse(untyped.encode(carrying({ when: { toJSON: () => 'now' } }))).data).toEqual({ when: 'now' })
  })

  it('refuses NaN, Infinity and BigInt at random places in random payloads', () => {
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const bad = [NaN, Infinity, -Infinity, 3n]
    for (let round = 0; round < 300; round++) {
      const path: string[] = []
      const root: Record<string, unknown> = {}
      let node: Record<string, unknown> | unknown[] = root
      let field = 'data'
      for (let depth = Math.floor(random() * 6); depth > 0; depth--) {
        const next: Record<string, unknown> | unknown[] = random() < 0.5 ? {} : []
        if (Array.isArray(node)) {
          node.push('filler', next)
          field += `[${node.length - 1}]`
        } else {
          const key = `k${Math.floor(random() * 100)}`
          node[key] = next
          node.filler = 1
          field += `.${key}`
        }
        path.push(field)
        node = next
      }
      const value = bad[Math.floor(random() * bad.length)]
      if (Array.isArray(node)) {
        node.push(1, value)
        field += `[${node.length - 1}]`
      } else {
        node.last = value
        field += '.last'
      }
      const error = thrown(() => untyped.encode(carrying(root)))
      expect(error.code).toBe('E_ENCODE')
      expect(error.details).toMatchObject({ reason: typeof value === 'bigint' ? 'bigint' : 'not-finite', field })
    }
  })
})

describe('decode() of object graphs takes time linear in the input', () => {
  const event = (data: unknown) => ({ ...JSON.parse(orderLine({ type: 'a.b' })), data }) as object

  it('refuses a DAG of 60 levels (each referring twice to the next) with E_TOO_LARGE, at once', { timeout: 1000 }, () => {
    expect(thrown(() => untyped.decode(event(dag(60))))).toMatchObject({ code: 'E_TOO_LARGE', details: { limit: 1024 * 1024 } })
  })

  it('refuses a 1 KB DAG, and the same through fromCloudEvent and fromCloudEventBatch', { timeout: 1000 }, () => {
    // about 40 objects of 25 bytes each: 1 KB that stands for 2^40 leaves
    const graph = dag(40)
    expect(thrown(() => untyped.decode(event(graph))).code).toBe('E_TOO_LARGE')
    expect(thrown(() => fromCloudEvent(event(graph))).code).toBe('E_TOO_LARGE')
    expect(thrown(() => fromCloudEventBatch([event(graph)])).code).toBe('E_TOO_LARGE')
  })

  it('accepts shared references that fit, counting each reference as JSON would write it', () => {
    const address = { city: 'Lyon' }
    expect(untyped.decode(event({ billing: address, shipping: address })).data).toEqual({ billing: { city: 'Lyon' }, shipping: { city: 'Lyon' } })
    const small = createCodec(undefined, { maxBytes: 400 })
    const big = { text: 'x'.repeat(150) }
    expect(thrown(() => small.decode(event({ a: big, b: big }))).code).toBe('E_TOO_LARGE')
  })

  it('gives an envelope or a TidingsError for 300 random graphs with shared and cyclic references', { timeout: 5000 }, () => {
    let seed = 99
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const outcomes = new Map<string, number>()
    for (let round = 0; round < 300; round++) {
      const nodes: Record<string, unknown>[] = Array.from({ length: 2 + Math.floor(random() * 80) }, () => ({}))
      // one to three edges per node, mostly to the next few (a DAG that may stand for gigabytes), rarely back (a cycle)
      nodes.forEach((node, i) => {
        for (let e = 1 + Math.floor(random() * 3); e > 0; e--) {
          const j = random() < 0.01 ? Math.floor(random() * (i + 1)) : i + 1 + Math.floor(random() * 3)
          node[`k${e}`] = j < nodes.length ? nodes[j] : 'leaf'
        }
      })
      let outcome = 'decoded'
      try {
        untyped.decode(event(nodes[0]))
      } catch (error) {
        outcome = thrown(() => { throw error }).code
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
    expect(Object.fromEntries(outcomes)).toEqual({ decoded: expect.any(Number), E_TOO_LARGE: expect.any(Number), E_DECODE: expect.any(Number) })
  })

  it('refuses a cycle with E_DECODE naming where it closes', () => {
    const data: Record<string, unknown> = { nested: {} }
    ;(data.nested as Record<string, unknown>).back = data
    expect(thrown(() => untyped.decode(event(data)))).toMatchObject({ code: 'E_DECODE', details: { reason: 'cycle', field: 'data.nested.back' } })
    const self = JSON.parse(orderLine({ type: 'a.b' })) as Record<string, unknown>
    self.data = self
    expect(thrown(() => untyped.decode(self))).toMatchObject({ code: 'E_DECODE', details: { reason: 'cycle', field: 'data' } })
    const list: unknown[] = []
    list.push(list)
    expect(thrown(() => fromCloudEventBatch(list)).code).toBe('E_DECODE')
  })
})

describe('decode() contains whatever an upcaster or a schema throws', () => {
  for (const [what, make] of throwables()) {
    it(`an upcaster that throws ${what}: E_UPCAST with a printable message`, () => {
      const Thing = defineEvent('t', { version: 2, schema: v.unknown(), upcast: { 1: () => { throw make() } } })
      const error = thrown(() => createCodec(defineCatalog(Thing)).decode(orderLine({ type: 't', dataversion: 1 })))
      expect(error.code).toBe('E_UPCAST')
      expect(typeof error.message).toBe('string')
      expect(error.message).toContain('upcast[1] threw')
    })

    it(`a schema check that throws ${what}: E_VALIDATION with a printable message`, () => {
      const Thing = defineEvent('t', { schema: v.pipe(v.unknown(), v.check(() => { throw make() })) })
      const codec = createCodec(defineCatalog(Thing))
      const error = thrown(() => codec.decode(orderLine({ type: 't', dataversion: 1 })))
      expect(error.code).toBe('E_VALIDATION')
      expect(error.message).toContain('schema threw')
      // after an upcast, the same failure is the upcast's
      const Later = defineEvent('t', { version: 2, schema: v.pipe(v.unknown(), v.check(() => { throw make() })), upcast: { 1: (d) => d } })
      expect(thrown(() => createCodec(defineCatalog(Later)).decode(orderLine({ type: 't', dataversion: 1 }))).code).toBe('E_UPCAST')
    })
  }

  it('an upcaster whose result has a throwing "then" getter: E_UPCAST', () => {
    const Thing = defineEvent('t', {
      version: 2, schema: v.unknown(),
      upcast: { 1: () => Object.defineProperty({}, 'then', { get: () => { throw 'no then' } }) },
    })
    expect(thrown(() => createCodec(defineCatalog(Thing)).decode(orderLine({ type: 't', dataversion: 1 }))).code).toBe('E_UPCAST')
  })
})

describe('replayLog() with hostile records', () => {
  it('reports records that throw when read, or stand for gigabytes, instead of stopping', async () => {
    const hostile = Object.defineProperty(JSON.parse(orderLine()), 'id', { enumerable: true, get: () => { throw 1n } })
    const report = await replayLog(untyped, [orderLine(), hostile, dag(60), orderLine()])
    expect(report).toMatchObject({ total: 4, decoded: 2 })
    expect(report.failures.map((f) => f.line)).toEqual([2, 3])
  })
})
