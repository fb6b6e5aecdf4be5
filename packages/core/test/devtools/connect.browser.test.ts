import { connectDevtools, createBus, defineCatalog, defineEvent, standard } from '@tidings/core'
import type { HubToViewerFrame, TrafficRecord } from '@tidings/core'
import * as v from 'valibot'
import { describe, expect, inject, it, onTestFinished } from 'vitest'

const Clicked = defineEvent('ui.clicked', { schema: v.object({ button: v.string() }) })
const catalog = defineCatalog(Clicked)

const until = async <T>(check: () => T | undefined | false, what: string): Promise<T> => {
  const deadline = Date.now() + 5000
  for (;;) {
    const value = check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A viewer over the browser's WebSocket, as the devtools page connects. */
const openViewer = async (wsUrl: string) => {
  const ws = new WebSocket(wsUrl)
  onTestFinished(() => ws.close())
  const frames: HubToViewerFrame[] = []
  ws.onmessage = (m) => frames.push(JSON.parse(m.data as string) as HubToViewerFrame)
  await new Promise((resolve) => (ws.onopen = resolve))
  ws.send(JSON.stringify({ v: 1, t: 'hello', role: 'viewer', backlog: false }))
  await until(() => frames.some((f) => f.t === 'welcome'), 'welcome')
  return { ws, frames }
}

describe('connectDevtools in a browser', () => {
  it('streams traffic to a hub with the native WebSocket and runs dispatch commands from a viewer', async () => {
    const url = inject('devtoolsUrl')
    const bus = createBus({ catalog, source: '/web-app' }, standard())
    const clicks: string[] = []
    bus.on('ui.clicked', (data) => void clicks.push(data.button), { name: 'track-click' })
    const connection = connectDevtools(bus, { url, name: 'browser-app' })
    onTestFinished(() => connection.close())
    await connection.connected

    const wsUrl = url.replace(/^http/, 'ws').replace('/?', '/ws?')
    const viewer = await openViewer(wsUrl)
    const producers = await until(() => viewer.frames.find((f): f is Extract<HubToViewerFrame, { t: 'producers' }> =>
      f.t === 'producers' && f.producers.some((p) => p.name === 'browser-app')), 'the producer')
    const me = producers.producers.find((p) => p.name === 'browser-app')!
    expect(me).toMatchObject({ runtime: 'browser', source: '/web-app', features: ['metrics', 'dlq', 'history'], catalog: [expect.objectContaining({ type: 'ui.clicked' })] })

    bus.emit('ui.clicked', { button: 'buy' })
    const records = await until(() => {
      const mine = viewer.frames.flatMap((f) => (f.t === 'traffic' && f.producer === me.id ? f.records : [] as TrafficRecord[]))
      return mine.length >= 2 && mine
    }, 'traffic')
    expect(records.map((r) => r.k)).toEqual(['emitted', 'delivered'])
    expect(records[0]).toMatchObject({ envelope: { type: 'ui.clicked', data: { button: 'buy' } } })

    viewer.ws.send(JSON.stringify({ v: 1, t: 'command', id: 'd1', producer: me.id, name: 'dispatch', args: { type: 'ui.clicked', data: { button: 'from-devtools' } } }))
    const result = await until(() => viewer.frames.find((f) => f.t === 'result' && f.id === 'd1'), 'the dispatch result')
    expect(result).toMatchObject({ ok: true })
    expect(clicks).toEqual(['buy', 'from-devtools'])
    expect(connection.stats()).toMatchObject({ connected: true, dropped: 0 })
  })
})
