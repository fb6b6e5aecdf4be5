import { connectDevtools, createBus } from '@tidings/core'
import type { Bus, DevtoolsSocket, Observation, TrafficRecord } from '@tidings/core'
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
    const bus = createBus({ source: '/service-a' })
    // The bus's observers, reached directly: this test plays the transport delivering another process's event.
    let observer: ((o: Observation) => void) | undefined
    const observed: Bus = Object.assign(Object.create(bus) as Bus, {
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
