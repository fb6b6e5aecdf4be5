import * as v from 'valibot'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBus, defineCatalog, defineEvent, defineFlow, history, memoryStore, validateFlow } from '@tidings/core'
import type { Bus, Envelope, EventsOf } from '@tidings/core'

const id = v.object({ id: v.string() })
const commitCatalog = defineCatalog(
  defineEvent('changes.detected', { schema: id }),
  defineEvent('validation.requested', { schema: id }),
  defineEvent('files.staged', { schema: id }),
  defineEvent('commit.requested', { schema: id }),
  defineEvent('commit.created', { schema: v.object({ id: v.string(), sha: v.string() }) }),
  defineEvent('issues.detect', { schema: v.object({ sha: v.string() }) }),
  defineEvent('audit.log', { schema: v.object({ sha: v.string() }) }),
  defineEvent('deploy.ready', { schema: v.object({ id: v.string(), sha: v.string() }) }),
  defineEvent('build.started', { schema: id }),
  defineEvent('build.finished', { schema: id }),
  defineEvent('build.timeout', { schema: id }),
)
type Events = EventsOf<typeof commitCatalog>

afterEach(() => {
  vi.useRealTimers()
})

const record = (bus: Bus<Events>) => {
  const seen: Envelope[] = []
  bus.on('*', (_t, _d, e) => seen.push(e))
  return seen
}

describe('defineFlow() reactions', () => {
  it('chains steps, emits several types in parallel, and links every event to its cause', () => {
    const bus = createBus({ catalog: commitCatalog })
    const seen = record(bus)
    const remove = bus.use(defineFlow<Events>({
      name: 'commit',
      steps: [
        { on: 'changes.detected', emit: 'validation.requested' },
        { on: 'files.staged', emit: 'commit.requested' },
        { on: 'commit.created', emit: ['issues.detect', 'audit.log'], map: (d) => ({ sha: d.sha }) },
      ],
    }))
    const root = bus.emit('changes.detected', { id: 'c1' })
    bus.emit('commit.created', { id: 'c1', sha: 'abc' })
    expect(seen.map((e) => e.type)).toEqual(['validation.requested', 'changes.detected', 'issues.detect', 'audit.log', 'commit.created'])
    const requested = seen.find((e) => e.type === 'validation.requested')!
    expect(requested).toMatchObject({ causationid: root.id, correlationid: root.id, data: { id: 'c1' } })
    expect(seen.find((e) => e.type === 'audit.log')!.data).toEqual({ sha: 'abc' })
    remove()
    bus.emit('files.staged', { id: 'c1' })
    expect(seen.some((e) => e.type === 'commit.requested')).toBe(false)
  })

  it('skips a step whose when() is false, and matches patterns', () => {
    const bus = createBus()
    const seen: string[] = []
    bus.on('alert', (d) => seen.push(String(d)))
    bus.use(defineFlow({ name: 'alerts', steps: [{ on: 'job.*', emit: 'alert', when: (d) => d === 'bad', map: (_d, e) => e.type }] }))
    bus.emit('job.a', 'ok')
    bus.emit('job.b', 'bad')
    expect(seen).toEqual(['job.b'])
  })
})

describe('defineFlow() joins', () => {
  it('emits once every joined type has happened with one correlation id, in any order', () => {
    const bus = createBus()
    const ready: unknown[] = []
    bus.on('deploy.ready', (d) => ready.push(d))
    bus.use(defineFlow({ name: 'deploy', steps: [{ join: ['tests.passed', 'review.approved'], emit: 'deploy.ready' }] }))
    bus.emit('review.approved', { reviewer: 'ann' }, { correlationid: 'pr-2' })
    bus.emit('tests.passed', { suite: 'all' }, { correlationid: 'pr-1' })
    expect(ready).toEqual([])
    bus.emit('review.approved', { reviewer: 'bob' }, { correlationid: 'pr-1' })
    expect(ready).toEqual([{ suite: 'all', reviewer: 'bob' }])
    bus.emit('tests.passed', { suite: 'all' }, { correlationid: 'pr-2' })
    expect(ready).toEqual([{ suite: 'all', reviewer: 'bob' }, { suite: 'all', reviewer: 'ann' }])
  })

  it('forgets a partial join after within ms', () => {
    vi.useFakeTimers()
    const bus = createBus()
    const ready = vi.fn()
    bus.on('c', ready)
    bus.use(defineFlow({ name: 'j', steps: [{ join: ['a', 'b'], emit: 'c', within: 1000 }] }))
    bus.emit('a', {}, { correlationid: 'x' })
    vi.advanceTimersByTime(1001)
    bus.emit('b', {}, { correlationid: 'x' })
    expect(ready).not.toHaveBeenCalled()
  })

  it('keeps at most maxPending partial joins', () => {
    const bus = createBus()
    const ready = vi.fn()
    bus.on('c', ready)
    bus.use(defineFlow({ name: 'j', maxPending: 2, steps: [{ join: ['a', 'b'], emit: 'c' }] }))
    for (const key of ['k1', 'k2', 'k3']) bus.emit('a', {}, { correlationid: key })
    bus.emit('b', {}, { correlationid: 'k1' })
    bus.emit('b', {}, { correlationid: 'k3' })
    expect(ready).toHaveBeenCalledOnce()
  })
})

describe('defineFlow() timeouts', () => {
  it('emits the timeout when expect does not follow within ms, not when it does', () => {
    vi.useFakeTimers()
    const bus = createBus({ catalog: commitCatalog })
    const timeouts: Envelope[] = []
    bus.on('build.timeout', (_d, e) => timeouts.push(e))
    bus.use(defineFlow<Events>({ name: 'builds', steps: [{ on: 'build.started', expect: 'build.finished', within: 30_000, emit: 'build.timeout' }] }))
    const slow = bus.emit('build.started', { id: 'slow' }, { correlationid: 'b1' })
    bus.emit('build.started', { id: 'fast' }, { correlationid: 'b2' })
    vi.advanceTimersByTime(10_000)
    bus.emit('build.finished', { id: 'fast' }, { correlationid: 'b2' })
    vi.advanceTimersByTime(19_999)
    expect(timeouts).toEqual([])
    vi.advanceTimersByTime(1)
    expect(timeouts.map((e) => e.data)).toEqual([{ id: 'slow' }])
    expect(timeouts[0]).toMatchObject({ causationid: slow.id, correlationid: 'b1' })
  })

  it('does not time out when expect arrived before on (out of order)', () => {
    vi.useFakeTimers()
    const bus = createBus()
    const timeout = vi.fn()
    bus.on('a.timeout', timeout)
    bus.use(defineFlow({ name: 't', steps: [{ on: 'a', expect: 'c', within: 1000, emit: 'a.timeout' }] }))
    bus.emit('c', {}, { correlationid: 'k' })
    bus.emit('a', {}, { correlationid: 'k' })
    vi.advanceTimersByTime(5000)
    expect(timeout).not.toHaveBeenCalled()
  })

  it('clears its timers when removed', () => {
    vi.useFakeTimers()
    const bus = createBus()
    const timeout = vi.fn()
    bus.on('a.timeout', timeout)
    const remove = bus.use(defineFlow({ name: 't', steps: [{ on: 'a', expect: 'c', within: 1000, emit: 'a.timeout' }] }))
    bus.emit('a')
    remove()
    vi.advanceTimersByTime(5000)
    expect(timeout).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('validateFlow() and defineFlow() checks', () => {
  it('names unknown types, bad patterns and malformed steps', () => {
    const issues = validateFlow([
      { on: 'changes.detected', emit: 'nope.never' },
      { on: 'commit.*x', emit: 'audit.log' },
      { join: ['files.staged'], emit: 'audit.log' },
      { on: 'build.started', expect: 'build.finished', within: -1, emit: 'build.timeout' },
    ] as never, commitCatalog)
    expect(issues.map((i) => `${i.step}.${i.field}`)).toEqual(['0.emit', '1.on', '2.join', '3.within'])
    expect(issues[0]!.message).toMatch(/"nope.never" is not in the catalog/)
  })

  it('rejects a cycle without a when() guard, accepts a guarded one', () => {
    const cycle = [{ on: 'a', emit: 'b' }, { on: 'b', emit: 'a' }]
    expect(() => defineFlow({ name: 'loop', steps: cycle })).toThrowError(expect.objectContaining({
      code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/cycle with no "when" guard/),
    }))
    expect(() => defineFlow({ name: 'loop', steps: [{ on: 'a', emit: 'b' }, { on: 'b', emit: 'a', when: () => false }] })).not.toThrow()
    expect(validateFlow([{ on: 'x.*', emit: 'x.y' }]).length).toBe(1)
  })
})

describe('flows and history together', () => {
  it('bus.history answers "everything with correlation id X" for a flow run', async () => {
    const bus = createBus({ catalog: commitCatalog, store: memoryStore() }, history())
    bus.use(defineFlow<Events>({ name: 'commit', steps: [{ on: 'commit.created', emit: ['issues.detect', 'audit.log'], map: (d) => ({ sha: d.sha }) }] }))
    const root = bus.emit('commit.created', { id: 'c9', sha: 'f00' })
    bus.emit('commit.created', { id: 'c10', sha: 'ba7' })
    const run = await bus.history({ correlationid: root.id, order: 'asc' })
    expect(run.map((e) => e.type)).toEqual(['commit.created', 'issues.detect', 'audit.log'])
  })
})
