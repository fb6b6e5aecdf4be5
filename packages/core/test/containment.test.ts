import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { TidingsError, createBus, defineFlow, defineRule, memoryStore, standard, trackProgress, waitFor } from '@tidings/core'
import type { DeadLetterEntry, Observation, StandardBus } from '@tidings/core'
import { sleep } from './fixtures'

/** Every kind of value user code may throw, made fresh for each case. */
const hostile: Array<[string, () => unknown]> = [
  ['an Error', () => new Error('boom')],
  ['a string', () => 'boom'],
  ['a BigInt', () => 10n],
  ['a Symbol', () => Symbol('boom')],
  ['null', () => null],
  ['undefined', () => undefined],
  ['a circular object', () => {
    const o: Record<string, unknown> = { a: 1 }
    o.self = o
    return o
  }],
  ['an object whose getters throw', () => {
    const o = Object.create(null) as object
    for (const key of ['message', 'name', 'stack', 'code', 'toString', 'toJSON', 'retryable', 'then']) {
      Object.defineProperty(o, key, { enumerable: true, get: () => { throw new Error(`getter ${key}`) } })
    }
    return o
  }],
  ['an Error whose getters throw', () => {
    const e = new Error('hidden')
    // 'stack' first: redefining it makes V8 format the stack, which reads name and message.
    for (const key of ['stack', 'message', 'name', 'code', 'retryable']) {
      Object.defineProperty(e, key, { get: () => { throw 42n } })
    }
    return e
  }],
  ['a Proxy that throws on every trap', () => new Proxy({}, new Proxy({}, { get: () => () => { throw new Error('trap') } }))],
  ['a 1 MB string', () => 'x'.repeat(1_000_000)],
]

/** What each boundary gives back, for the common assertions. */
interface Outcome {
  /** Strings that must describe the failure (dead-letter and observer messages, reported errors). */
  messages: string[]
  /** Subscriptions or callbacks that must still have run. */
  othersRan: boolean
}

const noRetry = { attempts: 0 }
const dlqMessages = async (bus: StandardBus) => (await bus.dlq.list()).map((e) => e.error.message)

/** A thrower of the value, as a handler or callback would be. */
const thrower = (make: () => unknown) => () => {
  throw make()
}

/** Each boundary runs user code that throws (or rejects with) the value, and reports what happened. */
const boundaries: Array<[string, (make: () => unknown) => Promise<Outcome>]> = [
  ['a handler that throws', async (make) => {
    const bus = createBus({}, standard({ retry: noRetry }))
    const other = vi.fn()
    bus.on('x', thrower(make))
    bus.on('x', other)
    const env = bus.emit('x', 1)
    expect(env.type).toBe('x')
    await bus.flush()
    return { messages: await dlqMessages(bus), othersRan: other.mock.calls.length === 1 }
  }],
  ['a handler on a kernel bus (no deadLetters): reported through onError as E_HANDLER', async (make) => {
    const bus = createBus()
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    const other = vi.fn()
    bus.on('x', thrower(make), { name: 'bad' })
    bus.on('x', () => Promise.reject(make()), { name: 'bad-async' })
    bus.on('x', other)
    bus.emit('x', 1)
    await sleep()
    expect(errors.map((e) => [e.code, e.details?.subscription])).toEqual([['E_HANDLER', 'bad'], ['E_HANDLER', 'bad-async']])
    return { messages: errors.map((e) => e.message), othersRan: other.mock.calls.length === 1 }
  }],
  ['an async handler that rejects', async (make) => {
    const bus = createBus({}, standard({ retry: noRetry }))
    const other = vi.fn()
    bus.on('x', () => Promise.reject(make()))
    bus.on('*', other)
    bus.emit('x', 1)
    await sleep()
    return { messages: await dlqMessages(bus), othersRan: other.mock.calls.length === 1 }
  }],
  ['a handler whose returned thenable throws from then()', async (make) => {
    const bus = createBus({}, standard({ retry: noRetry }))
    const other = vi.fn()
    bus.on('x', () => ({ then: thrower(make) }))
    bus.on('x', other)
    bus.emit('x', 1)
    await sleep()
    return { messages: await dlqMessages(bus), othersRan: other.mock.calls.length === 1 }
  }],
  ['a handler, published and observed, retried', async (make) => {
    const bus = createBus({}, standard({ retry: { attempts: 1, backoff: { initialMs: 1, jitter: 0 } } }))
    const seen: Observation[] = []
    bus.observe((o) => seen.push(o))
    const other = vi.fn()
    bus.on('x', thrower(make), { name: 'bad' })
    bus.on('x', other)
    const report = await bus.publish('x', 1)
    expect(report).toMatchObject({ delivered: 1, deadLettered: 1 })
    const failures = seen.filter((o) => o.kind !== 'emitted' && o.kind !== 'delivered')
    // Retried once, unless its `retryable` cannot even be read: then it goes straight to the DLQ.
    expect(failures.map((o) => o.kind).slice(-2)).toEqual(['failed', 'dead-lettered'])
    return { messages: [...failures.map((o) => (o.kind === 'emitted' ? '' : o.error!.message)), ...report.subscriptions.flatMap((s) => (s.error ? [s.error.message] : []))], othersRan: other.mock.calls.length === 1 }
  }],
  ['a retry policy whose shouldRetry throws', async (make) => {
    const bus = createBus({}, standard({ retry: { attempts: 3, shouldRetry: thrower(make) } }))
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    const other = vi.fn()
    bus.on('x', () => { throw new Error('handler') })
    bus.on('x', other)
    bus.emit('x')
    await bus.flush()
    expect(await bus.dlq.size()).toBe(1)
    return { messages: errors.map((e) => e.message), othersRan: other.mock.calls.length === 1 }
  }],
  ['a middleware', async (make) => {
    const bus = createBus({}, standard())
    const handler = vi.fn()
    bus.on('x', handler)
    const remove = bus.use(() => { throw make() })
    let thrown: unknown
    try {
      bus.emit('x')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(TidingsError)
    expect((thrown as TidingsError).code).toBe('E_MIDDLEWARE')
    await expect(bus.publish('x')).rejects.toMatchObject({ code: 'E_MIDDLEWARE' })
    remove()
    bus.emit('x')
    return { messages: [(thrown as TidingsError).message], othersRan: handler.mock.calls.length === 1 }
  }],
  ['an observer', async (make) => {
    const bus = createBus({}, standard({ retry: noRetry }))
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    bus.observe(thrower(make))
    const other = vi.fn()
    bus.on('x', other)
    bus.on('x', () => { throw new Error('handler') })
    bus.emit('x')
    const report = await bus.publish('x')
    expect(report.deadLettered).toBe(1)
    return { messages: errors.map((e) => e.message), othersRan: other.mock.calls.length === 2 }
  }],
  ['a waitFor filter', async (make) => {
    const bus = createBus()
    const other = vi.fn()
    bus.on('x', other)
    const waiting = waitFor(bus, 'x', { filter: thrower(make) })
    const next = waitFor(bus, 'x')
    bus.emit('x')
    const error = await waiting.then(() => undefined, (e: unknown) => e)
    expect(error).toMatchObject({ code: 'E_INVALID_ARGUMENT' })
    await expect(next).resolves.toMatchObject({ type: 'x' })
    return { messages: [(error as TidingsError).message], othersRan: other.mock.calls.length === 1 }
  }],
  ['an onError listener', async (make) => {
    const bus = createBus({}, standard({ retry: noRetry }))
    const errors: TidingsError[] = []
    bus.onError(thrower(make))
    bus.onError((e) => errors.push(e))
    bus.observe(() => { throw new Error('observer') })
    const other = vi.fn()
    bus.on('x', other)
    bus.emit('x')
    return { messages: errors.map((e) => e.message), othersRan: other.mock.calls.length === 1 }
  }],
  ['a dead-letter listener', async (make) => {
    const bus = createBus({}, standard({ retry: noRetry }))
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    const entries: DeadLetterEntry[] = []
    bus.dlq.subscribe(thrower(make))
    bus.dlq.subscribe((e) => entries.push(e))
    bus.on('x', () => { throw new Error('handler') })
    await bus.publish('x')
    await bus.flush()
    await sleep()
    expect(await bus.dlq.size()).toBe(1)
    return { messages: errors.map((e) => e.message), othersRan: entries.length === 1 }
  }],
  ['a dead-letter re-delivery', async (make) => {
    const bus = createBus({}, standard({ retry: noRetry }))
    let fail: (() => never) | undefined = () => { throw new Error('first') }
    bus.on('x', () => fail?.(), { name: 'h' })
    await bus.publish('x')
    fail = thrower(make) as () => never
    const result = await bus.dlq.retry({})
    expect(result.failed).toHaveLength(1)
    return { messages: [...result.failed.map((f) => f.error.message), ...(await dlqMessages(bus))], othersRan: true }
  }],
  ['a flow step when()', async (make) => {
    const bus = createBus({}, standard({ retry: noRetry }))
    const other = vi.fn()
    bus.on('a', other)
    bus.use(defineFlow({ name: 'f', steps: [{ on: 'a', emit: 'b', when: thrower(make) as () => boolean }] }))
    bus.emit('a')
    await bus.flush()
    const [entry] = await bus.dlq.list()
    expect(entry!.subscription).toBe('flow:f#0')
    return { messages: [entry!.error.message], othersRan: other.mock.calls.length === 1 }
  }],
  ['a flow step map()', async (make) => {
    const bus = createBus({}, standard({ retry: noRetry }))
    const other = vi.fn()
    bus.on('a', other)
    bus.use(defineFlow({ name: 'f', steps: [{ on: 'a', emit: 'b', map: thrower(make) }] }))
    bus.emit('a')
    await bus.flush()
    return { messages: await dlqMessages(bus), othersRan: other.mock.calls.length === 1 }
  }],
  ['a flow timeout step map(), run from a timer', async (make) => {
    const bus = createBus()
    const other = vi.fn()
    bus.on('started', other)
    bus.use(defineFlow({ name: 'f', steps: [{ on: 'started', expect: 'done', within: 1, emit: 'late', map: thrower(make) }] }))
    bus.emit('started')
    await sleep(10)
    const logged = vi.mocked(console.error).mock.calls.map((args) => (args[0] as TidingsError).message)
    return { messages: logged, othersRan: other.mock.calls.length === 1 }
  }],
  ['a middleware refusing a throttled progress event, sent from a timer', async (make) => {
    const bus = createBus()
    const progress = trackProgress(bus, { type: 'job', total: 10, throttleMs: 5 })
    progress.advance()
    bus.use((e, next) => (e.type === 'job.progress' ? (() => { throw make() })() : next(e)))
    progress.advance()
    await sleep(10)
    const done = vi.fn()
    bus.on('job.completed', done)
    progress.done()
    const logged = vi.mocked(console.error).mock.calls.map((args) => (args[0] as TidingsError).message)
    return { messages: logged, othersRan: done.mock.calls.length === 1 }
  }],
  ['a rule groupBy()', async (make) => {
    const bus = createBus({}, standard({ retry: noRetry }))
    const other = vi.fn()
    bus.on('a', other)
    bus.use(defineRule({ name: 'r', on: 'a', groupBy: thrower(make) as () => string, count: 2, within: 1000, emit: 'alert' }))
    bus.emit('a')
    await bus.flush()
    return { messages: await dlqMessages(bus), othersRan: other.mock.calls.length === 1 }
  }],
  ['a progress failure', async (make) => {
    const bus = createBus()
    const failed = vi.fn()
    bus.on('job.failed', failed)
    const progress = trackProgress(bus, { type: 'job' })
    progress.fail(make())
    const payload = failed.mock.calls[0]![0] as { error: { name: string; message: string } }
    expect(typeof payload.error.name).toBe('string')
    return { messages: [payload.error.message], othersRan: failed.mock.calls.length === 1 }
  }],
  ['a handler on a bus with a store', async (make) => {
    const bus = createBus({ store: memoryStore() }, standard({ retry: noRetry }))
    const other = vi.fn()
    bus.on('x', thrower(make))
    bus.on('x', other)
    bus.emit('x', { n: 1 })
    await bus.flush()
    return { messages: await dlqMessages(bus), othersRan: other.mock.calls.length === 1 }
  }],
]

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => void unhandled.push(reason)

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled)
  process.on('uncaughtException', onUnhandled)
})
afterAll(() => {
  process.off('unhandledRejection', onUnhandled)
  process.off('uncaughtException', onUnhandled)
})
beforeEach(() => {
  unhandled.length = 0
  // The bus logs errors nobody listens to, and errors of throwing onError listeners.
  vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => {
  vi.restoreAllMocks()
})

describe.each(hostile)('user code that throws %s', (_kind, make) => {
  it.each(boundaries)('is contained in %s: reported with a bounded string message, nothing else disturbed', async (_boundary, run) => {
    const outcome = await run(make)
    expect(outcome.othersRan).toBe(true)
    expect(outcome.messages.length).toBeGreaterThan(0)
    for (const message of outcome.messages) {
      expect(typeof message).toBe('string')
      expect(message.length).toBeLessThan(2500)
    }
    await sleep(5)
    expect(unhandled).toEqual([])
  })
})

describe('errorInfo of thrown values', () => {
  it('says what a BigInt, a Symbol and a circular object were', async () => {
    const bus = createBus({}, standard({ retry: noRetry }))
    const values: unknown[] = [10n, Symbol('why'), null, 'text']
    for (const value of values) bus.on('x', () => { throw value })
    const circular: Record<string, unknown> = { reason: 'loop' }
    circular.self = circular
    bus.on('x', () => { throw circular })
    bus.emit('x')
    expect((await bus.dlq.list()).map((e) => e.error.message).sort()).toEqual(['10n', 'Symbol(why)', '[object Object]', 'null', 'text'].sort())
  })
})
