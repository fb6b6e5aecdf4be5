import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { defineCatalog, defineEvent } from '@tidings/core'

const schema = v.object({ id: v.string() })

describe('defineEvent()', () => {
  it('defaults to version 1, persisted', () => {
    expect(defineEvent('a.b', { schema })).toMatchObject({ type: 'a.b', version: 1, persist: true, upcast: {} })
  })

  it('rejects types that are not dot-separated segments', () => {
    for (const bad of ['', 'a..b', 'a.*', 'has space', '.a']) {
      expect(() => defineEvent(bad, { schema })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    }
  })

  it('rejects a version below 1 or not an integer', () => {
    expect(() => defineEvent('a', { schema, version: 0 })).toThrowError(/version/)
    expect(() => defineEvent('a', { schema, version: 1.5 })).toThrowError(/version/)
  })

  it('requires an upcaster for every older version', () => {
    expect(() => defineEvent('a', { schema, version: 3, upcast: { 1: (d) => d } })).toThrowError(/upcast\[2\]/)
  })
})

describe('defineCatalog()', () => {
  it('indexes definitions by type', () => {
    const a = defineEvent('a', { schema })
    const catalog = defineCatalog(a)
    expect(catalog.get('a')).toBe(a)
    expect(catalog.get('b')).toBeUndefined()
    expect([...catalog.definitions.keys()]).toEqual(['a'])
  })

  it('rejects a type defined twice', () => {
    expect(() => defineCatalog(defineEvent('a', { schema }), defineEvent('a', { schema }))).toThrowError(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/"a" is defined twice/) }),
    )
  })
})
