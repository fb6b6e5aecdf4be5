import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { emitSnippet, operationTestSnippet } from '../src/state/code-snippets'
import { payloadDiff } from '../src/state/payload-diff'
import { RetainedEvents } from '../src/state/retained-events'
import { sequenceDiagram } from '../src/state/sequence'
import { emitted, envelope, outcome } from './fixtures'

/** Syntax errors TypeScript finds in a snippet (none means it parses as a module). */
const syntaxErrors = (code: string) =>
  (ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext } }).diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))

describe('emitSnippet()', () => {
  it('emits the same type, payload and operation links, and says whether the catalog checks the payload', () => {
    const env = envelope('order.placed', { orderId: "O'1", lines: [{ sku: 'A', qty: 2 }] }, { correlationid: 'op-1', causationid: 'c-1' })
    const code = emitSnippet(env, 2)
    expect(code).toBe([
      '// "order.placed" v2 of the catalog: TypeScript checks the payload against its schema.',
      `bus.emit('order.placed', ${JSON.stringify(env.data, null, 2)}, { correlationid: 'op-1', causationid: 'c-1' })`,
      '',
    ].join('\n'))
    expect(syntaxErrors(code)).toEqual([])
    expect(emitSnippet({ ...envelope('ping'), data: undefined }, undefined)).toBe('// "ping" is not in this bus\'s catalog: the payload is not type-checked.\nbus.emit(\'ping\')\n')
  })
})

describe('operationTestSnippet()', () => {
  it('writes a vitest test that emits the first event and expects the chain recorded, bus by bus', () => {
    const events = new RetainedEvents(10)
    const root = envelope('order.placed', { orderId: 'A-1' })
    const links = { correlationid: root.id, causationid: root.id }
    const mails = [envelope('mail.send', {}, links), envelope('mail.send', {}, links)]
    events.apply('web', [emitted(root), emitted(envelope('order.accepted', {}, links))])
    events.apply('mailer', [...mails.map((m) => emitted(m)), outcome(mails[0]!, 'dead-lettered', 'smtp')])
    const code = operationTestSnippet(sequenceDiagram(events, root.id), (p) => `${p}-bus`)
    expect(syntaxErrors(code)).toEqual([])
    expect(code).toContain("it('order.placed leads to order.placed, order.accepted, 2 × mail.send', async () => {")
    expect(code).toContain(`  bus.emit('order.placed', {\n    "orderId": "A-1"\n  })`)
    expect(code).toContain("      'mail.send': 2,")
    expect(code).toContain('//   mailer-bus: mail.send ×2')
    expect(code).toContain('  expect(await bus.dlq.size()).toBe(1)')
  })
})

describe('payloadDiff()', () => {
  it('lists what an edit added, removed and changed, by path', () => {
    expect(payloadDiff({ a: 1, b: { c: [1, 2] }, gone: true }, { a: 2, b: { c: [1] }, added: 'x' })).toEqual([
      { path: 'a', kind: 'changed', before: 1, after: 2 },
      { path: 'b.c[1]', kind: 'removed', before: 2 },
      { path: 'gone', kind: 'removed', before: true },
      { path: 'added', kind: 'added', after: 'x' },
    ])
    expect(payloadDiff({ a: 1 }, { a: 1 })).toEqual([])
    expect(payloadDiff(1, 'one')).toEqual([{ path: '(payload)', kind: 'changed', before: 1, after: 'one' }])
  })
})
