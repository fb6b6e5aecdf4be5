import { connectDevtools, createBus, deadLetters, metrics, observe, standard } from '@tidings/core'
import type { DevtoolsBus, DevtoolsSocket, Observation, TidingsError, TrafficRecord } from '@tidings/core'
import { describe, expect, it, onTestFinished } from 'vitest'

/** A socket the test plays the hub on: it records what the producer sends. */
class FakeSocket implements DevtoolsSocket {
  static last: FakeSocket | undefined
  readyState = 0
  bufferedAmount = 0
  sent: string[] = []
  onopen: DevtoolsSocket['onopen'] = null
  onmessage: DevtoolsSocket['onmessage'] = null
  onclose: DevtoolsSocket['onclose'] = null
  onerror: DevtoolsSocket['onerror'] = null
  constructor(readonly url: string) {
    FakeSocket.last = this
  }
  send(data: string) {
    this.sent.push(data)
  }
  close() {
    this.readyState = 3
    this.onclose?.({ code: 1000, reason: '' })
  }
  /** Opens and greets the producer as a hub would. */
  welcome() {
    this.readyState = 1
    this.onopen?.({})
    this.onmessage?.({ data: JSON.stringify({ v: 1, t: 'welcome', id: 'c1', role: 'producer', hub: { version: '0' }, limits: { maxPayload: 1 << 20, framesPerSecond: 200, burst: 400, backlog: 2000, commandTimeoutMs: 15000 } }) })
  }
  records(): TrafficRecord[] {
    return this.sent.map((s) => JSON.parse(s) as { t: string; records?: TrafficRecord[] }).flatMap((f) => (f.t === 'traffic' ? f.records! : []))
  }
}

describe('connectDevtools()', () => {
  it('marks events that arrived through the transport as remote', async () => {
    const bus = createBus({ source: '/service-a' }, observe())
    // The bus's observers, reached directly: this test plays the transport delivering another process's event.
    let observer: ((o: Observation) => void) | undefined
    const observed: DevtoolsBus = Object.assign(Object.create(bus) as DevtoolsBus, {
      observe: (fn: (o: Observation) => void) => {
        observer = fn
        return () => (observer = undefined)
      },
    })
    const connection = connectDevtools(observed, { url: 'ws://127.0.0.1:1/ws?token=t', WebSocket: FakeSocket, batchMs: 1 })
    onTestFinished(() => connection.close())
    const socket = FakeSocket.last!
    socket.welcome()
    await connection.connected

    const own = bus.emit('order.placed', { n: 1 })
    const theirs = bus.emit('order.reserved', { n: 2 })
    observer!({ kind: 'emitted', envelope: own })
    observer!({ kind: 'emitted', envelope: theirs, remote: true })
    await new Promise((resolve) => setTimeout(resolve, 20))

    const records = socket.records() as Array<Extract<TrafficRecord, { k: 'emitted' }>>
    expect(records.map((r) => [r.envelope.id, r.remote])).toEqual([[own.id, undefined], [theirs.id, true]])
    expect(records[1]!.envelope).toEqual(JSON.parse(JSON.stringify(theirs)))
  })
})

/** Things user code throws: each must be contained and described. */
const circular: Record<string, unknown> = {}
circular.self = circular
const getterThrows = Object.create(null, { message: { get: () => { throw new Error('getter') } }, toString: { get: () => { throw new Error('toString') } } })
class WeirdError extends Error {
  override get message(): string {
    throw new Error('message getter')
  }
}
const thrown: Array<[string, unknown]> = [
  ['Error', new Error('boom')], ['string', 'boom'], ['BigInt', 10n], ['circular object', circular],
  ['object with throwing getters', getterThrows], ['Error with a throwing message getter', new WeirdError()], ['null', null], ['undefined', undefined],
]

describe('connectDevtools(): containment', () => {
  const connect = (bus: DevtoolsBus, options: Partial<Parameters<typeof connectDevtools>[1]> = {}) => {
    const connection = connectDevtools(bus, { url: 'ws://127.0.0.1:1/ws?token=t', WebSocket: FakeSocket, batchMs: 1, ...options })
    onTestFinished(() => connection.close())
    const socket = FakeSocket.last!
    socket.welcome()
    return { connection, socket }
  }
  const tick = () => new Promise((resolve) => setTimeout(resolve, 20))

  it.each(thrown)('contains a redact that throws %s: reports E_ENCODE, sends neither the event nor its outcomes, keeps going', async (_kind, value) => {
    const bus = createBus({ source: '/app' }, observe())
    bus.on('secret', () => {}, { name: 'h' })
    const errors: TidingsError[] = []
    const { connection, socket } = connect(bus, {
      onError: (e) => errors.push(e),
      redact: (event) => {
        if (event.type === 'secret') throw value
        return event
      },
    })
    bus.emit('secret', { card: '4111 1111 1111 1111' })
    bus.emit('public', { n: 1 })
    await tick()
    expect(socket.sent.join('\n')).not.toContain('4111')
    expect(socket.records().map((r) => (r.k === 'emitted' ? r.envelope.type : `${r.k}:${r.type}`))).toEqual(['public'])
    expect(errors).toEqual([expect.objectContaining({ code: 'E_ENCODE', message: expect.stringContaining('redact threw'), details: expect.objectContaining({ type: 'secret' }) })])
    expect(connection.stats()).toMatchObject({ refused: 1 })
  })

  it('hides an event whose redact returns something that is not an event (fails closed)', async () => {
    const bus = createBus({ source: '/app' }, observe())
    const errors: TidingsError[] = []
    const { socket } = connect(bus, { onError: (e) => errors.push(e), redact: () => 'not an event' as never })
    bus.emit('secret', { card: '4111' })
    await tick()
    expect(socket.records()).toEqual([])
    expect(errors[0]).toMatchObject({ code: 'E_ENCODE' })
  })

  it('keeps going when the onError listener itself throws', async () => {
    const bus = createBus({ source: '/app' }, observe())
    const { socket } = connect(bus, { onError: () => { throw new Error('listener') }, redact: (e) => { if (e.type === 'bad') throw 1n; return e } })
    bus.emit('bad', {})
    bus.emit('good', {})
    await tick()
    expect(socket.records().map((r) => (r.k === 'emitted' ? r.envelope.type : r.k))).toEqual(['good'])
  })

  it('sends an event whose data cannot be serialized (BigInt, cycle) with a marker instead of its data, and the rest of its batch', async () => {
    const bus = createBus({ source: '/app' }, observe())
    const { socket } = connect(bus, { redact: (e) => e })
    const plain = connect(bus).socket
    // Changed after emit (the queue serializes at flush), so that the bus's own checks at emit are not what is tested.
    const big = bus.emit('big', { n: 1 }).data as { n: unknown }
    const loop = bus.emit('loop', {}).data as { self?: unknown }
    big.n = 1n
    loop.self = loop
    bus.emit('fine', { n: 1 })
    await tick()
    for (const s of [socket, plain]) {
      const records = s.records() as Array<Extract<TrafficRecord, { k: 'emitted' }>>
      expect(records.map((r) => r.envelope.type)).toEqual(['big', 'loop', 'fine'])
      expect(records[0]!.envelope.data).toEqual({ $unserializable: expect.stringContaining('BigInt') })
      expect(records[1]!.envelope.data).toEqual({ $unserializable: expect.any(String) })
    }
  })

  it('sends an event nested deeper than the hub allows without its data (truncated), so the hub never refuses its batch', async () => {
    const bus = createBus({ source: '/app' }, observe())
    const { socket } = connect(bus)
    let deep: unknown = 1
    for (let i = 0; i < 150; i++) deep = [deep]
    ;(bus.emit('deep', { n: 1 }).data as { n: unknown }).n = deep
    bus.emit('fine', { n: 1 })
    await tick()
    const records = socket.records() as Array<Extract<TrafficRecord, { k: 'emitted' }>>
    expect(records.map((r) => [r.envelope.type, r.truncated])).toEqual([['deep', true], ['fine', undefined]])
    expect(records[0]!.envelope.data).toBeUndefined()
  })

  it('keeps its producer id and presents the hub’s resume secret on reconnect', async () => {
    const bus = createBus({ source: '/app' }, observe())
    const { socket } = connect(bus)
    const hello = JSON.parse(socket.sent[0]!) as { instance: string; resume?: string }
    expect(hello.resume).toBeUndefined()
    socket.onmessage?.({ data: JSON.stringify({ v: 1, t: 'welcome', id: 'c2', role: 'producer', hub: { version: '0' }, limits: { maxPayload: 1 << 20, framesPerSecond: 200, burst: 400, backlog: 2000, commandTimeoutMs: 15000 }, producer: `${hello.instance}~x`, resume: 's3cret' }) })
    socket.readyState = 3
    socket.onclose?.({ code: 1006, reason: '' })
    const next = await new Promise<FakeSocket>((resolve) => {
      const poll = () => (FakeSocket.last !== socket ? resolve(FakeSocket.last!) : setTimeout(poll, 5))
      poll()
    })
    next.readyState = 1
    next.onopen?.({})
    expect(JSON.parse(next.sent[0]!)).toMatchObject({ t: 'hello', instance: `${hello.instance}~x`, resume: 's3cret' })
  })
})

describe('connectDevtools(): what the bus has', () => {
  const frames = (socket: FakeSocket) => socket.sent.map((s) => JSON.parse(s) as { t: string; id?: string; ok?: boolean; error?: { code: string; message: string }; features?: string[] })
  const connect = (bus: DevtoolsBus) => {
    const connection = connectDevtools(bus, { url: 'ws://127.0.0.1:1/ws?token=t', WebSocket: FakeSocket, batchMs: 1, metricsIntervalMs: 5 })
    onTestFinished(() => connection.close())
    const socket = FakeSocket.last!
    socket.welcome()
    return socket
  }
  const command = async (socket: FakeSocket, id: string, name: string, args: Record<string, unknown> = {}) => {
    socket.onmessage?.({ data: JSON.stringify({ v: 1, t: 'command', id, name, args }) })
    for (let i = 0; i < 50 && !frames(socket).some((f) => f.t === 'result' && f.id === id); i++) await new Promise((resolve) => setTimeout(resolve, 2))
    return frames(socket).find((f) => f.t === 'result' && f.id === id)!
  }

  it('advertises in its hello the optional APIs the bus has', () => {
    expect(frames(connect(createBus({ source: '/tiny' }, observe())))[0]).toMatchObject({ t: 'hello', features: [] })
    expect(frames(connect(createBus({ source: '/full' }, standard())))[0]).toMatchObject({ t: 'hello', features: ['metrics', 'dlq', 'history'] })
    expect(frames(connect(createBus({ source: '/some' }, observe(), metrics(), deadLetters())))[0]).toMatchObject({ features: ['metrics', 'dlq'] })
  })

  it('sends metrics only when the bus has metrics()', async () => {
    const without = connect(createBus({ source: '/tiny' }, observe()))
    const withMetrics = connect(createBus({ source: '/measured' }, observe(), metrics()))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(frames(without).filter((f) => f.t === 'metrics')).toEqual([])
    expect(frames(withMetrics).filter((f) => f.t === 'metrics').length).toBeGreaterThan(1)
  })

  it('answers a command whose API the bus lacks with an error naming the feature to add, and keeps running the others', async () => {
    const bus = createBus({ source: '/tiny' }, observe())
    const socket = connect(bus)
    for (const [name, feature] of [['dlq.list', 'deadLetters()'], ['dlq.purge', 'deadLetters()'], ['metrics', 'metrics()'], ['history', 'history()']] as const) {
      const result = await command(socket, name, name)
      expect(result).toMatchObject({ ok: false, error: { code: 'E_DEVTOOLS_PROTOCOL', message: expect.stringContaining(feature) } })
    }
    expect(await command(socket, 'd', 'dispatch', { type: 'order.placed', data: { n: 1 } })).toMatchObject({ ok: true })
  })

  it('runs the same commands on a standard() bus', async () => {
    const bus = createBus({ source: '/full' }, standard())
    const socket = connect(bus)
    bus.emit('order.placed', { n: 1 })
    expect(await command(socket, 'l', 'dlq.list')).toMatchObject({ ok: true, value: { entries: [] } })
    expect(await command(socket, 'm', 'metrics')).toMatchObject({ ok: true, value: { snapshot: { totals: { emitted: 1 } } } })
    expect(await command(socket, 'h', 'history')).toMatchObject({ ok: true, value: { envelopes: [expect.objectContaining({ type: 'order.placed' })] } })
  })

  it('refuses, at the call, a bus without observe()', () => {
    const bus = createBus({ source: '/tiny' })
    // @ts-expect-error connectDevtools needs observe()
    expect(() => connectDevtools(bus, { url: 'ws://127.0.0.1:1/ws?token=t', WebSocket: FakeSocket })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('observe()') }))
  })
})
