import { describe, expect, it } from 'vitest'
import { schemaChanges } from './schema-diff'

const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({ type: 'object', properties, required })

describe('schemaChanges()', () => {
  it('is empty for equal schemas, whatever the draft they name', () => {
    expect(schemaChanges({ $schema: 'a', ...object({ a: { type: 'string' } }) }, { $schema: 'b', ...object({ a: { type: 'string' } }) })).toEqual([])
  })

  it('names added, removed, newly required and retyped fields, nested and in arrays', () => {
    const before = object({ a: { type: 'string' }, gone: { type: 'number' }, line: object({ qty: { type: 'number' } }), tags: { type: 'array', items: { type: 'string' } } }, ['a', 'gone', 'line'])
    const after = object({ a: { type: 'string', minLength: 1 }, added: { type: 'string' }, line: object({ qty: { type: 'string' } }), tags: { type: 'array', items: { type: 'number' } } }, ['a', 'line', 'tags'])
    expect(schemaChanges(before, after)).toEqual([
      { path: 'a', change: '"minLength" changed' },
      { path: 'gone', change: 'field removed' },
      { path: 'line.qty', change: 'type number → string' },
      { path: 'tags', change: 'now required' },
      { path: 'tags[]', change: 'type string → number' },
      { path: 'added', change: 'field added (optional)' },
    ])
  })
})
