import { describe, expect, it } from 'vitest'
import { SlicedQueue } from '../src/sliced-queue'

describe('SlicedQueue', () => {
  it('processes everything in order, in slices that yield between them', () => {
    const runs: Array<() => void> = []
    const done: number[] = []
    const queue = new SlicedQueue<number>((n) => {
      done.push(n)
      const end = performance.now() + 2
      while (performance.now() < end) { /* work that takes 2 ms */ }
    }, 5, (run) => runs.push(run))
    for (let n = 0; n < 10; n++) queue.push(n)
    expect(runs).toHaveLength(1)
    expect(queue.length).toBe(10)
    runs.shift()!()
    expect(done.length).toBeGreaterThan(0)
    expect(done.length).toBeLessThan(10)
    expect(queue.length).toBe(10 - done.length)
    while (runs.length) runs.shift()!()
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(queue.length).toBe(0)
  })
})
