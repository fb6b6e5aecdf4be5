import { describe, expect, it } from 'vitest'
import { RecentIds } from '../src/state/recent-ids'

describe('RecentIds', () => {
  it('tells a new id from one already seen', () => {
    const ids = new RecentIds(10)
    expect(ids.add('a')).toBe(true)
    expect(ids.add('a')).toBe(false)
    expect(ids.add('b')).toBe(true)
  })

  it('remembers at most its capacity, forgetting the oldest first', () => {
    const ids = new RecentIds(3)
    for (const id of ['a', 'b', 'c', 'd']) ids.add(id)
    expect(ids.add('b')).toBe(false)
    expect(ids.add('a')).toBe(true)
    expect(ids.add('c')).toBe(false)
    expect(ids.add('b')).toBe(true)
    ids.clear()
    expect(ids.add('b')).toBe(true)
  })
})
