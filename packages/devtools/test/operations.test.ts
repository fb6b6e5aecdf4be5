import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBus, defineCatalog, defineProgressEvents, observe, trackProgress } from '@tidings/core'
import type { CloudEventJSON, TrackProgressOptions } from '@tidings/core'
import { elapsedMs, Operations, remainingMs } from '../src/state/operations'
import { envelope } from './fixtures'

afterEach(() => {
  vi.useRealTimers()
})

interface Seen {
  at: number
  envelope: CloudEventJSON
}

/** A real bus running trackProgress, its events recorded as a devtools producer reports them. */
function producer() {
  const bus = createBus({ catalog: defineCatalog(...defineProgressEvents('import')) }, observe())
  const seen: Seen[] = []
  bus.observe((o) => {
    if (o.kind === 'emitted') seen.push({ at: Date.now(), envelope: o.envelope.toJSON() })
  })
  const track = (options: Partial<TrackProgressOptions> = {}) => trackProgress(bus, { type: 'import', throttleMs: 0, ...options })
  return { bus, seen, track }
}

const feed = (ops: Operations, seen: readonly Seen[], producerId = 'shop') => {
  for (const s of seen) ops.apply(producerId, s.at, s.envelope, Date.now())
}

describe('Operations', () => {
  it('follows a run from started through progress to completed', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const { seen, track } = producer()
    const ops = new Operations()
    const progress = track({ total: 8, data: { file: 'customers.csv' } })
    feed(ops, seen.splice(0))
    let [op] = ops.list().running
    expect(op).toMatchObject({ type: 'import', producer: 'shop', correlationid: progress.correlationid, state: 'running', done: 0, total: 8, percent: 0 })
    expect(op!.details).toEqual({ file: 'customers.csv' })

    vi.advanceTimersByTime(1000)
    progress.advance(2)
    progress.update({ message: 'reading rows' })
    feed(ops, seen.splice(0))
    op = ops.list().running[0]
    expect(op).toMatchObject({ done: 2, total: 8, percent: 25, rate: 2, etaMs: 3000, message: 'reading rows' })

    vi.advanceTimersByTime(500)
    progress.advance(6)
    progress.done({ rows: 8 })
    feed(ops, seen.splice(0))
    expect(ops.list().running).toEqual([])
    op = ops.list().finished[0]
    expect(op).toMatchObject({ state: 'completed', done: 8, percent: 100, durationMs: 1500, result: { rows: 8 } })
    expect(op!.etaMs).toBeUndefined()
    expect(elapsedMs(op!, Date.now() + 60_000)).toBe(1500)
  })

  it('shows a failure with its error, and no percent when there is no total', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const { seen, track } = producer()
    const ops = new Operations()
    const progress = track()
    progress.advance(3)
    vi.advanceTimersByTime(200)
    progress.fail(new TypeError('bad row 4'))
    feed(ops, seen)
    const [op] = ops.list().finished
    expect(op).toMatchObject({ state: 'failed', done: 3, durationMs: 200, error: { name: 'TypeError', message: 'bad row 4' } })
    expect(op!.percent).toBeUndefined()
    expect(op!.total).toBeUndefined()
  })

  it('opens an operation from a .progress when the page missed its start, estimating when it began', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const { seen, track } = producer()
    const ops = new Operations()
    const progress = track({ total: 100 })
    vi.advanceTimersByTime(4000)
    progress.advance(20)
    feed(ops, seen.filter((s) => s.envelope.type === 'import.progress'))
    const [op] = ops.list().running
    expect(op).toMatchObject({ state: 'running', done: 20, percent: 20 })
    expect(op!.startedAt).toBe(1_000_000)
  })

  it('counts elapsed time and the ETA on between events', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const { seen, track } = producer()
    const ops = new Operations()
    const progress = track({ total: 10 })
    vi.advanceTimersByTime(1000)
    progress.advance(5)
    feed(ops, seen)
    const [op] = ops.list().running
    expect(elapsedMs(op!, Date.now())).toBe(1000)
    expect(remainingMs(op!, Date.now())).toBe(1000)
    expect(elapsedMs(op!, Date.now() + 400)).toBe(1400)
    expect(remainingMs(op!, Date.now() + 400)).toBe(600)
    expect(remainingMs(op!, Date.now() + 5000)).toBe(0)
  })

  it('ignores events that do not make an operation', () => {
    const ops = new Operations()
    expect(ops.apply('shop', 1, envelope('order.completed', {}, { correlationid: 'c1' }), 1)).toBe(false)
    expect(ops.apply('shop', 1, envelope('import.failed', { done: 0, durationMs: 1, error: { name: 'E', message: 'm' } }, { correlationid: 'c2' }), 1)).toBe(false)
    expect(ops.apply('shop', 1, envelope('import.started', {}), 1)).toBe(false)
    expect(ops.apply('shop', 1, envelope('import.placed', {}, { correlationid: 'c3' }), 1)).toBe(false)
    expect(ops.apply('shop', 1, envelope('started', {}, { correlationid: 'c4' }), 1)).toBe(false)
    expect(ops.size).toBe(0)
  })

  it('never moves backwards when a reconnect replays events it already has', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const { seen, track } = producer()
    const ops = new Operations()
    const progress = track({ total: 4 })
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(100)
      progress.advance()
    }
    progress.done()
    feed(ops, seen)
    const before = structuredClone(ops.list().finished[0])
    feed(ops, seen)
    feed(ops, [...seen].reverse())
    expect(ops.list()).toEqual({ running: [], finished: [before] })
  })

  it('keeps a running operation at its latest progress when an older one arrives late', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const { seen, track } = producer()
    const ops = new Operations()
    const progress = track({ total: 4 })
    vi.advanceTimersByTime(100)
    progress.advance()
    vi.advanceTimersByTime(100)
    progress.advance()
    const [started, first, second] = seen
    feed(ops, [started!, second!, first!])
    expect(ops.list().running[0]).toMatchObject({ done: 2, lastEventId: second!.envelope.id })
  })

  it('starts afresh when the same correlation id and type run again after finishing', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const { seen, track } = producer()
    const ops = new Operations()
    track({ total: 2, correlationid: 'nightly' }).fail(new Error('offline'))
    vi.advanceTimersByTime(1000)
    track({ total: 2, correlationid: 'nightly' }).advance()
    feed(ops, seen)
    expect(ops.size).toBe(1)
    const [op] = ops.list().running
    expect(op).toMatchObject({ state: 'running', done: 1, percent: 50 })
    expect(op!.error).toBeUndefined()
  })

  it('tells apart operations sharing a correlation id on other buses or with other types', () => {
    const ops = new Operations()
    const started = (type: string) => envelope(type, { total: 1 }, { correlationid: 'request-9' })
    ops.apply('api', 1, started('import.started'), 1)
    ops.apply('api', 2, started('resize.started'), 2)
    ops.apply('worker', 3, started('import.started'), 3)
    expect(ops.list().running.map((op) => `${op.producer} ${op.type}`)).toEqual(['worker import', 'api resize', 'api import'])
  })

  it('counts an operation once when buses sharing a transport report its events too', () => {
    const { seen, track } = producer()
    const ops = new Operations()
    const progress = track({ total: 4 })
    progress.advance(1)
    const received = (producerId: string, s: Seen) => ops.apply(producerId, s.at, s.envelope, s.at, true)
    // A receiving bus reports first: its report stands in for the emitter's.
    for (const s of seen) received('worker-1', s)
    for (const s of seen) received('worker-2', s)
    expect(ops.list().running.map((op) => [op.producer, op.via, op.done])).toEqual([['worker-1', 'worker-1', 1]])
    // The emitter's own report takes it over; later received copies change nothing.
    feed(ops, seen.splice(0), 'api')
    progress.done()
    for (const s of seen) expect(received('worker-1', s)).toBe(false)
    feed(ops, seen.splice(0), 'api')
    expect(ops.size).toBe(1)
    expect(ops.list().finished.map((op) => [op.producer, op.via, op.state, op.correlationid])).toEqual([['api', undefined, 'completed', progress.correlationid]])
  })

  it('lists running operations first, latest started first, then finished ones, latest finished first', () => {
    const ops = new Operations()
    const run = (id: string, at: number, finishedAt?: number) => {
      ops.apply('p', at, envelope('job.started', {}, { correlationid: id }), at)
      if (finishedAt !== undefined) ops.apply('p', finishedAt, envelope('job.completed', { done: 1, durationMs: finishedAt - at }, { correlationid: id }), finishedAt)
    }
    run('a', 1, 50)
    run('b', 2)
    run('c', 3, 20)
    run('d', 4)
    const { running, finished } = ops.list()
    expect(running.map((op) => op.correlationid)).toEqual(['d', 'b'])
    expect(finished.map((op) => op.correlationid)).toEqual(['a', 'c'])
  })

  it('keeps at most its capacity, evicting the least recently finished before any running one', () => {
    const ops = new Operations(3)
    const start = (id: string, at: number) => ops.apply('p', at, envelope('job.started', {}, { correlationid: id }), at)
    const complete = (id: string, at: number) => ops.apply('p', at, envelope('job.completed', { done: 1, durationMs: 1 }, { correlationid: id }), at)
    start('old-running', 1)
    start('finished-late', 2)
    start('finished-early', 3)
    complete('finished-early', 4)
    complete('finished-late', 5)
    start('new', 6)
    expect(ops.size).toBe(3)
    expect(ops.list().finished.map((op) => op.correlationid)).toEqual(['finished-late'])
    start('newer', 7)
    start('newest', 8)
    expect(ops.list().running.map((op) => op.correlationid)).toEqual(['newest', 'newer', 'new'])
  })

  it('forgets everything on clear()', () => {
    const ops = new Operations()
    ops.apply('p', 1, envelope('job.started', {}, { correlationid: 'x' }), 1)
    ops.clear()
    expect(ops.list()).toEqual({ running: [], finished: [] })
  })
})
