import * as v from 'valibot'
import { afterEach, describe, expect, it } from 'vitest'
import { createCodec, defineCatalog, defineEvent, fromCloudEvent } from '@tidings/core'
import { orderLine, thrown } from './catalog'

const untyped = createCodec()

const prototypeIsClean = () => {
  expect(Object.keys(Object.prototype)).toEqual([])
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
}

const event = (rest: string) => `{"specversion":"1.0","id":"x","source":"/a","type":"t",${rest}}`

describe('hostile input', () => {
  afterEach(prototypeIsClean)

  it('refuses "__proto__" keys anywhere, however they are spelled, naming the place', () => {
    const inputs: [string, string][] = [
      ['{"__proto__":{"isAdmin":true},"specversion":"1.0","id":"x","source":"/a","type":"t"}', '__proto__'],
      [event('"data":{"user":{"__proto__":{"isAdmin":true}}}'), 'data.user.__proto__'],
      [event('"data":[{"a":1},{"__proto__":{"isAdmin":true}}]'), 'data[1].__proto__'],
      [event('"data":{"\\u005f_proto__":{"isAdmin":true}}'), 'data.__proto__'],
    ]
    for (const [input, field] of inputs) {
      expect(thrown(() => untyped.decode(input))).toMatchObject({ code: 'E_DECODE', details: { field } })
    }
    const parsed = JSON.parse(event('"data":{"__proto__":{"isAdmin":true}}'))
    expect(thrown(() => untyped.decode(parsed)).code).toBe('E_DECODE')
  })

  it('keeps "constructor" and "prototype" keys as plain data that pollutes nothing', () => {
    const input = event('"data":{"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}}')
    const decoded = untyped.decode(input)
    expect(decoded.data).toEqual({ constructor: { prototype: { polluted: true } }, prototype: { polluted: true } })
    expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype)
    expect(untyped.encode(decoded)).toBe(input)
  })

  it('keeps an extension named "constructor" as an own attribute', () => {
    const input = event('"constructor":"x","prototype":7')
    const decoded = untyped.decode(input)
    expect(decoded.extensions).toEqual({ constructor: 'x', prototype: 7 })
    expect(untyped.encode(decoded)).toBe(input)
  })

  it('lets upcasters spread and assign old payloads without polluting anything', () => {
    const Thing = defineEvent('t', {
      version: 3,
      schema: v.record(v.string(), v.unknown()),
      upcast: { 1: (d) => ({ ...d }), 2: (d) => Object.assign({}, d) },
    })
    const decoded = createCodec(defineCatalog(Thing)).decode(event('"dataversion":1,"data":{"constructor":{"prototype":{"isAdmin":true}}}'))
    expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype)
  })

  it('refuses huge strings by size before parsing them, quickly', () => {
    const huge = event(`"data":"${'x'.repeat(20 * 1024 * 1024)}"`)
    const started = performance.now()
    expect(thrown(() => untyped.decode(huge)).code).toBe('E_TOO_LARGE')
    expect(performance.now() - started).toBeLessThan(500)
  })

  it('refuses a million nested arrays with E_TOO_LARGE, and unclosed ones with E_DECODE', () => {
    const roomy = createCodec(undefined, { maxBytes: 8 * 1024 * 1024 })
    const deep = event(`"data":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`)
    expect(thrown(() => roomy.decode(deep))).toMatchObject({ code: 'E_TOO_LARGE', details: { limit: 64 } })
    expect(thrown(() => roomy.decode(event(`"data":${'['.repeat(1_000_000)}`))).code).toBe('E_DECODE')
    expect(thrown(() => roomy.decode(event(`"data":${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`))).code).toBe('E_TOO_LARGE')
  })

  it('checks megabyte-long attribute values in linear time', () => {
    const roomy = createCodec(undefined, { maxBytes: 16 * 1024 * 1024 })
    const attacks = [
      { source: `//${'a'.repeat(1_000_000)}@@@[` },
      { source: `/${'%'.repeat(1_000_000)}` },
      { source: `a:${'/'.repeat(1_000_000)} ` },
      { time: `2024-01-01T00:00:00.${'1'.repeat(1_000_000)}` },
      { datacontenttype: `a/b${'; a=b'.repeat(200_000)};` },
      { dataschema: `http://x/${'!$&'.repeat(300_000)}#?#` },
      { id: `${'a'.repeat(1_000_000)}\u0000` },
      { subject: `${'é'.repeat(1_000_000)}\uD800` },
    ]
    for (const attack of attacks) {
      const started = performance.now()
      expect(thrown(() => roomy.decode(orderLine(attack))).code).toBe('E_VALIDATION')
      expect(performance.now() - started, Object.keys(attack)[0]).toBeLessThan(1000)
    }
  })

  it('turns binary garbage into E_DECODE', () => {
    let seed = 42
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256))
      const garbage = new TextDecoder().decode(bytes)
      expect(thrown(() => untyped.decode(garbage)).code).toBe('E_DECODE')
    }
  })

  it('turns a throwing getter or a hostile proxy into E_DECODE', () => {
    const withGetter = JSON.parse(orderLine())
    Object.defineProperty(withGetter, 'type', { enumerable: true, get: () => { throw new RangeError('boom') } })
    expect(thrown(() => untyped.decode(withGetter)).code).toBe('E_DECODE')
    const proxy = new Proxy(JSON.parse(orderLine()), { ownKeys: () => { throw new TypeError('no keys') } })
    expect(thrown(() => untyped.decode(proxy)).code).toBe('E_DECODE')
    expect(thrown(() => fromCloudEvent(proxy)).code).toBe('E_DECODE')
  })

  it('refuses class instances and other non-JSON objects', () => {
    class Event {
      specversion = '1.0'
      id = 'x'
      source = '/a'
      type = 't'
    }
    expect(thrown(() => untyped.decode(new Event())).message).toContain('Event')
    expect(thrown(() => untyped.decode(new Uint8Array(8))).code).toBe('E_DECODE')
  })
})
