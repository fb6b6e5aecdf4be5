import { describe, expect, it } from 'vitest'
import { flattenJson, toggle } from '../src/state/json-tree'

const value = { order: { id: 'A-1', items: [{ sku: 'x', qty: 2 }] }, paid: true, note: null }

describe('flattenJson()', () => {
  it('opens containers above openDepth and summarizes the others', () => {
    const lines = flattenJson(value, { openDepth: 2, toggled: new Set() })
    expect(lines.map((l) => [l.path, l.text])).toEqual([
      ['', '{3}'],
      ['/order', '{2}'],
      ['/order/id', '"A-1"'],
      ['/order/items', '[1]'],
      ['/paid', 'true'],
      ['/note', 'null'],
    ])
    expect(lines.find((l) => l.path === '/order/items')!.expanded).toBe(false)
  })

  it('expands and collapses a toggled path; toggling twice restores the default', () => {
    const open = toggle(new Set(), '/order/items')
    expect(flattenJson(value, { openDepth: 2, toggled: open }).map((l) => l.path)).toContain('/order/items/0')
    const closedRoot = flattenJson(value, { openDepth: 2, toggled: toggle(new Set(), '') })
    expect(closedRoot).toHaveLength(1)
    expect(toggle(open, '/order/items').size).toBe(0)
  })

  it('escapes keys as JSON Pointer does', () => {
    const lines = flattenJson({ 'a/b': 1, 'c~d': 2 }, { openDepth: 1, toggled: new Set() })
    expect(lines.map((l) => l.path)).toEqual(['', '/a~1b', '/c~0d'])
  })

  it('shows a bounded number of children and says how many are left out', () => {
    const lines = flattenJson(Array.from({ length: 1000 }, (_, i) => i), { openDepth: 1, toggled: new Set(), maxChildren: 10 })
    expect(lines).toHaveLength(12)
    expect(lines[11]).toMatchObject({ kind: 'more', text: '990 more' })
  })

  it('renders scalars at the root', () => {
    expect(flattenJson('hi', { openDepth: 1, toggled: new Set() })).toEqual([
      { path: '', depth: 0, key: undefined, kind: 'string', text: '"hi"', expanded: false },
    ])
  })
})
