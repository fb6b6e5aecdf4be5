import { afterEach, describe, expect, inject, it } from 'vitest'
import { createBus, deadLetters, retry, transport, waitFor } from '@tidings/core'
import type { Bus } from '@tidings/core'
import { natsTransport } from '@tidings/nats'

const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
const open: Bus[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((bus) => bus.close()))
})

/** A bus in this page, on the nats-server's WebSocket listener. */
const browserBus = () => {
  const { wsUrl, stream, subjectPrefix } = inject('nats')
  const bus = createBus({ source: '/browser' }, transport(natsTransport({ servers: wsUrl, stream, subjectPrefix })), deadLetters(), retry())
  open.push(bus)
  return bus
}

describe('natsTransport() in a browser (wsconnect)', () => {
  it('exchanges events with a bus in Node, trace context included', async () => {
    const bus = browserBus()
    await bus.ready
    const pong = waitFor(bus, 'pong', { timeout: 5_000 })
    const ping = bus.emit('ping', { n: 1 }, { extensions: { traceparent: TRACE } })
    const reply = await pong
    expect(reply).toMatchObject({ source: '/node', causationid: ping.id, data: { echo: { n: 1 }, runtime: 'node' } })
    expect(reply.extensions).toEqual({ traceparent: TRACE })
  })

  it('takes events in a named subscription, acknowledged from the browser', async () => {
    const bus = browserBus()
    const received: unknown[] = []
    let done!: () => void
    const got = new Promise<void>((resolve) => (done = resolve))
    bus.on('pong', (data) => {
      received.push(data)
      done()
    }, { name: 'browser-pongs' })
    await bus.ready
    bus.emit('ping', { n: 2 })
    await got
    expect(received).toEqual([{ echo: { n: 2 }, runtime: 'node' }])
  })
})
