import { describe, expect, it } from 'vitest'
import { rowWindow } from '../src/state/row-window'

describe('rowWindow()', () => {
  it('draws every row of a list a filter just shrank below the remembered scroll offset', () => {
    // 5 rows of 24 px in a 600 px view, the user having scrolled to 9,000 px in the long list.
    expect(rowWindow(5, 24, 600, 9000, false, 4)).toEqual({ top: 0, first: 0, last: 5 })
    expect(rowWindow(40, 24, 600, 9000, false, 4)).toEqual({ top: 360, first: 11, last: 40 })
  })

  it('keeps the remembered offset inside the list, and sits at the end while following', () => {
    expect(rowWindow(1000, 24, 600, 2400, false, 4)).toEqual({ top: 2400, first: 96, last: 129 })
    expect(rowWindow(1000, 24, 600, 2400, true, 4)).toEqual({ top: 23400, first: 971, last: 1000 })
  })
})
