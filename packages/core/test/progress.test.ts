import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBus, defineCatalog, defineProgressEvents, trackProgress } from '@tidings/core'
import type { Envelope } from '@tidings/core'

afterEach(() => {
  vi.useRealTimers()
})

describe('trackProgress()', () => {
  it('emits started, throttled progress and completed, sharing one correlation id', () => {
    vi.useFakeTimers({ now: 0 })
    const bus = createBus({ catalog: defineCatalog(...defineProgressEvents('import')) })
    const seen: Envelope[] = []
    bus.on('import.**', (_t, _d, e) => seen.push(e))
    const progress = trackProgress(bus, { type: 'import', total: 1000, throttleMs: 100, data: { file: 'a.csv' } })
    for (let i = 0; i < 1000; i++) {
      progress.advance()
      if (i % 100 === 99) vi.advanceTimersByTime(50)
    }
    progress.done({ rows: 1000 })
    const types = seen.map((e) => e.type)
    expect(types[0]).toBe('import.started')
    expect(types.at(-1)).toBe('import.completed')
    // 1000 advances over 500 ms, throttled to at most one per 100 ms (+ the final state).
    expect(types.filter((t) => t === 'import.progress').length).toBeLessThanOrEqual(7)
    expect(new Set(seen.map((e) => e.correlationid))).toEqual(new Set([progress.correlationid]))
    expect(seen[0]!.data).toEqual({ file: 'a.csv', total: 1000 })
    const last = seen.filter((e) => e.type === 'import.progress').at(-1)!.data as Record<string, number>
    expect(last).toMatchObject({ done: 1000, total: 1000, percent: 100 })
    expect(seen.at(-1)!.data).toMatchObject({ done: 1000, total: 1000, rows: 1000 })
  })

  it('computes rate and ETA', () => {
    vi.useFakeTimers({ now: 0 })
    const bus = createBus()
    const progress = trackProgress(bus, { type: 'job', total: 100 })
    vi.advanceTimersByTime(2000)
    progress.advance(25)
    expect(progress.snapshot()).toMatchObject({ done: 25, percent: 25, rate: 12.5, etaMs: 6000 })
  })

  it('emits failed once with the error, and nothing after', () => {
    const bus = createBus()
    const seen: Envelope[] = []
    bus.on('job.*', (_t, _d, e) => seen.push(e))
    const progress = trackProgress(bus, { type: 'job' })
    progress.fail(new Error('disk full'))
    progress.advance()
    progress.done()
    expect(seen.map((e) => e.type)).toEqual(['job.started', 'job.failed'])
    expect(seen[1]!.data).toMatchObject({ error: { name: 'Error', message: 'disk full' } })
  })
})
