import { describe, expect, it } from 'vitest'
import { natsTransport } from '@tidings/nats'
import { durableOf, filterOf, keyMatcher, keysOverlap, subjectOf } from '../src/subjects'

describe('subjectOf()', () => {
  it('puts the type under the prefix, token for token', () => {
    expect(subjectOf('tidings', 'order.placed')).toBe('tidings.order.placed')
    expect(subjectOf('acme.events', 'user')).toBe('acme.events.user')
  })

  it('escapes what NATS would read as wildcards or separators, and empty tokens', () => {
    expect(subjectOf('t', 'a b.c*.>.100%')).toBe('t.a%20b.c%2A.%3E.100%25')
    expect(subjectOf('t', 'a..b')).toBe('t.a.%.b')
    expect(subjectOf('t', 'tab\there')).toBe('t.tab%09here')
  })
})

describe('filterOf()', () => {
  it('maps * to one token, a final ** to >, and the catch-all to everything', () => {
    expect(filterOf('t', 'order.placed')).toEqual({ subject: 't.order.placed', exact: true })
    expect(filterOf('t', 'order.*')).toEqual({ subject: 't.order.*', exact: true })
    expect(filterOf('t', 'order.**')).toEqual({ subject: 't.order.>', exact: true })
    expect(filterOf('t', '*')).toEqual({ subject: 't.>', exact: true })
  })

  it('widens a ** inside the key to > and leaves the rest to the matcher', () => {
    expect(filterOf('t', 'a.**.done')).toEqual({ subject: 't.a.>', exact: false })
    const matches = keyMatcher('a.**.done')
    expect(['a.x.done', 'a.x.y.done', 'a.done', 'a.x.open'].map(matches)).toEqual([true, true, false, false])
  })
})

describe('durableOf()', () => {
  it('keeps ordinary names and escapes what consumer names may not hold', () => {
    expect(durableOf('send-receipt_v2')).toBe('send-receipt_v2')
    expect(durableOf('billing.invoices/eu')).toBe('billing%2Einvoices%2Feu')
    expect(durableOf('a b')).not.toBe(durableOf('a_b'))
  })
})

describe('keysOverlap()', () => {
  it.each([
    ['order.placed', 'order.placed', true],
    ['order.placed', 'order.paid', false],
    ['order.*', 'order.placed', true],
    ['order.*', 'order.item.added', false],
    ['order.**', 'order.item.added', true],
    ['**.added', 'order.**', true],
    ['*.placed', 'order.*', true],
    ['cart.**', 'order.**', false],
    ['*', 'anything.at.all', true],
    ['a.**.z', 'a.b.c.z', true],
    ['a.**.z', 'a.z', false],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(keysOverlap(a, b)).toBe(expected)
    expect(keysOverlap(b, a)).toBe(expected)
  })
})

describe('natsTransport() options', () => {
  it.each([
    [{ servers: [] }, 'servers'],
    [{ servers: 'nats://x', stream: 'a.b' }, 'stream'],
    [{ servers: 'nats://x', subjectPrefix: 'a.*' }, 'subjectPrefix'],
    [{ servers: 'nats://x', types: [] }, 'types'],
    [{ servers: 'nats://x', types: ['order.pl*ced'] }, 'types'],
    [{ servers: 'nats://x', ackWait: 1.5 }, 'ackWait'],
  ])('rejects %j with E_INVALID_ARGUMENT naming %s', (options, field) => {
    expect(() => natsTransport(options as never)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: { field } }))
  })
})
