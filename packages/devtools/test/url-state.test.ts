import { describe, expect, it } from 'vitest'
import { EMPTY_FILTER } from '../src/state/filter'
import { viewStateFromHash, viewStateToHash } from '../src/state/url-state'

describe('view state in the URL fragment', () => {
  it('round-trips every filter field and the tab', () => {
    const state = {
      tab: 'dlq' as const,
      filter: { type: 'order.*', source: 'k3j9', outcome: 'dead-lettered' as const, q: 'A-17 & co', muted: ['metrics.tick', 'heartbeat'], correlation: 'op-7' },
    }
    const hash = viewStateToHash(state)
    expect(hash.startsWith('#')).toBe(true)
    expect(viewStateFromHash(hash)).toEqual(state)
  })

  it('is empty for the default view, so a plain link stays plain', () => {
    expect(viewStateToHash({ tab: 'stream', filter: EMPTY_FILTER })).toBe('')
    expect(viewStateFromHash('')).toEqual({ tab: 'stream', filter: EMPTY_FILTER })
  })

  it('opens the operations view from a link', () => {
    expect(viewStateFromHash(viewStateToHash({ tab: 'operations', filter: EMPTY_FILTER })).tab).toBe('operations')
  })

  it('opens the sequence diagram of one operation from a link', () => {
    const state = { tab: 'sequence' as const, filter: EMPTY_FILTER, operation: 'order-42' }
    expect(viewStateFromHash(viewStateToHash(state))).toEqual(state)
  })

  it('ignores unknown tabs and outcomes from a hand-edited link', () => {
    const state = viewStateFromHash('#tab=nope&outcome=exploded&type=a')
    expect(state.tab).toBe('stream')
    expect(state.filter.outcome).toBe('')
    expect(state.filter.type).toBe('a')
  })
})
