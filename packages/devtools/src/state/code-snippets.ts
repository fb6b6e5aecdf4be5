import type { CloudEventJSON } from '@tidings/core'
import type { SequenceDiagram } from './sequence'

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
const literal = (value: unknown, indent = '') => JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`)

/**
 * A typed `bus.emit(...)` call that emits this event again: with the bus's catalog, TypeScript
 * checks the payload against the type's schema. Ids and time are left to the bus; the operation's
 * links are kept so the event joins the same operation.
 */
export function emitSnippet(envelope: CloudEventJSON, catalogVersion: number | undefined): string {
  const links = [
    envelope.correlationid !== undefined && `correlationid: ${quote(envelope.correlationid)}`,
    envelope.causationid !== undefined && `causationid: ${quote(envelope.causationid)}`,
  ].filter(Boolean)
  const args = [quote(envelope.type)]
  if (envelope.data !== undefined || links.length) args.push(envelope.data === undefined ? 'undefined' : literal(envelope.data))
  if (links.length) args.push(`{ ${links.join(', ')} }`)
  const checked = catalogVersion === undefined
    ? `// "${envelope.type}" is not in this bus's catalog: the payload is not type-checked.`
    : `// "${envelope.type}" v${catalogVersion} of the catalog: TypeScript checks the payload against its schema.`
  return `${checked}\nbus.emit(${args.join(', ')})\n`
}

/**
 * A vitest test that emits the operation's first event and asserts the chain that followed: how
 * many events of each type, as this page recorded them. Events other buses emitted are named in
 * a comment: their handlers must run in the test too (on the same bus, or over a transport).
 */
export function operationTestSnippet(diagram: SequenceDiagram, busName: (producer: string) => string): string {
  const first = diagram.steps[0]!.event
  const counts = new Map<string, number>()
  const byBus = new Map<string, Map<string, number>>()
  for (const { event } of diagram.steps) {
    counts.set(event.envelope.type, (counts.get(event.envelope.type) ?? 0) + 1)
    const name = busName(event.producer)
    const types = byBus.get(name) ?? new Map<string, number>()
    types.set(event.envelope.type, (types.get(event.envelope.type) ?? 0) + 1)
    byBus.set(name, types)
  }
  const chain = [...counts].map(([type, n]) => (n === 1 ? type : `${n} × ${type}`)).join(', ')
  const recorded = [...byBus].map(([bus, types]) => `//   ${bus}: ${[...types].map(([t, n]) => (n === 1 ? t : `${t} ×${n}`)).join(', ')}`)
  const expected = [...counts].map(([type, n]) => `      ${quote(type)}: ${n},`)
  const dead = diagram.steps.flatMap((s) => s.handlers.filter((h) => h.status.outcome === 'dead-lettered')).length
  return [
    "import { expect, it, vi } from 'vitest'",
    `import { bus } from './bus' // the bus of ${busName(first.producer)}: import yours`,
    '',
    `// Recorded by the Tidings devtools${diagram.truncated ? ' (the first events of the operation)' : ''}:`,
    ...recorded,
    ...(byBus.size > 1 ? ['// Events of the other buses follow only when their handlers run in this test too.'] : []),
    `it(${quote(`${first.envelope.type} leads to ${chain}`)}, async () => {`,
    '  const seen = new Map<string, number>()',
    '  bus.on(\'*\', (type) => void seen.set(type, (seen.get(type) ?? 0) + 1))',
    '',
    `  bus.emit(${quote(first.envelope.type)}, ${literal(first.envelope.data, '  ')})`,
    '',
    '  await vi.waitFor(() => {',
    '    expect(Object.fromEntries(seen)).toEqual({',
    ...expected,
    '    })',
    '  })',
    ...(dead ? ['  // In the recorded run ' + `${dead} ${dead === 1 ? 'delivery was' : 'deliveries were'} dead-lettered:`, `  expect(await bus.dlq.size()).toBe(${dead})`] : []),
    '})',
    '',
  ].join('\n')
}
