import { describe, expect, it } from 'vitest'
import { restingTop, rowWindow } from '../src/state/row-window'

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

describe('restingTop()', () => {
  it('rests a list that stops following at the row the user was reading, not at a scroll offset never heard of', () => {
    // 150 rows followed to the end of a 600 px view: the top row was 125, and no scroll event said so.
    const top = restingTop({ index: 125, offset: 0 }, 0, 24)
    expect(top).toBe(3000)
    expect(rowWindow(150, 24, 600, top, false, 4)).toEqual({ top: 3000, first: 121, last: 150 })
  })

  it('keeps the anchored row in place when rows above it are evicted', () => {
    expect(restingTop({ index: 80, offset: 10 }, 2410, 24)).toBe(1930)
  })

  it('falls back to the last scroll offset when the anchored row is no longer listed', () => {
    expect(restingTop({ index: -1, offset: 5 }, 2400, 24)).toBe(2400)
    expect(restingTop(undefined, 2400, 24)).toBe(2400)
  })
})
