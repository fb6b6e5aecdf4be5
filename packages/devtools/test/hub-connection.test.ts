import { describe, expect, it } from 'vitest'
import { CommandError, connectToHub, hubSocketUrl } from '../src/hub-connection'
import type { ConnectionState, SocketConstructor } from '../src/hub-connection'

class FakeSocket {
  static last: FakeSocket | undefined
  static count = 0
  readyState = 0
  sent: Array<Record<string, unknown>> = []
  onopen: (() => void) | null = null
  onmessage: ((event: { data: unknown }) => void) | null = null
  onclose: ((event: { code: number; reason: string }) => void) | null = null
  onerror: (() => void) | null = null

  constructor(readonly url: string) {
    FakeSocket.last = this
    FakeSocket.count++
  }

  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>)
  }

  close() {
    this.readyState = 3
  }

  open() {
    this.readyState = 1
    this.onopen?.()
  }

  receive(frame: unknown) {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) })
  }

  drop(code = 1006) {
    this.readyState = 3
    this.onclose?.({ code, reason: '' })
  }
}

const limits = { maxPayload: 1 << 20, framesPerSecond: 200, burst: 400, backlog: 2000, commandTimeoutMs: 15_000 }
const welcome = { v: 1, t: 'welcome', id: 'c1', role: 'viewer', hub: { version: '0.1.0' }, limits }
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(check()).toBe(true)
}

function connect() {
  const frames: Array<{ t: string }> = []
  const invalid: string[] = []
  const states: ConnectionState[] = []
  const hub = connectToHub({
    url: 'ws://127.0.0.1:1/ws?token=t',
    WebSocket: FakeSocket as unknown as SocketConstructor,
    onFrame: (f) => frames.push(f),
    onState: (s) => states.push(s),
    onInvalid: (m) => invalid.push(m),
  })
  const socket = FakeSocket.last!
  socket.open()
  socket.receive(welcome)
  return { hub, socket, frames, invalid, states }
}

describe('connectToHub()', () => {
  it('says hello as a viewer and is open once welcomed, with the hub’s limits', async () => {
    const { hub, socket, states } = connect()
    expect(socket.url).toBe('ws://127.0.0.1:1/ws?token=t')
    expect(socket.sent[0]).toMatchObject({ v: 1, t: 'hello', role: 'viewer', live: true, backlog: true })
    await until(() => states.at(-1)?.status === 'open')
    expect(states.at(-1)).toMatchObject({ status: 'open', limits, hubVersion: '0.1.0' })
    hub.close()
  })

  it('passes valid frames on and reports invalid ones without passing them', async () => {
    const { hub, socket, frames, invalid } = connect()
    socket.receive({ v: 1, t: 'dropped', count: 3 })
    socket.receive({ v: 1, t: 'traffic', producer: 'p', dropped: 0, records: [{ k: 'emitted', at: 1 }] })
    socket.receive('not json')
    socket.receive({ v: 2, t: 'dropped', count: 1 })
    await until(() => invalid.length === 3)
    expect(frames).toEqual([{ v: 1, t: 'dropped', count: 3 }])
    expect(invalid[0]).toMatch(/traffic/)
    hub.close()
  })

  it('answers each command with its own result, and a failure as a CommandError with the code', async () => {
    const { hub, socket, states } = connect()
    await until(() => states.at(-1)?.status === 'open')
    const purge = hub.command('p1', 'dlq.purge', {})
    const retry = hub.command('p1', 'dlq.retry', { id: 'x' })
    const [purgeFrame, retryFrame] = socket.sent.slice(1)
    expect(purgeFrame).toMatchObject({ t: 'command', producer: 'p1', name: 'dlq.purge', args: {} })
    socket.receive({ v: 1, t: 'result', id: retryFrame!.id, producer: 'p1', ok: false, error: { code: 'E_DLQ_NOT_FOUND', message: 'No dead letter has id "x"' } })
    socket.receive({ v: 1, t: 'result', id: purgeFrame!.id, producer: 'p1', ok: true, value: { purged: 4 } })
    await expect(purge).resolves.toEqual({ purged: 4 })
    const error = await retry.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CommandError)
    expect(error).toMatchObject({ code: 'E_DLQ_NOT_FOUND' })
    hub.close()
  })

  it('refuses commands while not connected', async () => {
    const hub = connectToHub({ url: 'ws://x/ws', WebSocket: FakeSocket as unknown as SocketConstructor, onFrame: () => {}, onState: () => {} })
    await expect(hub.command('p', 'metrics', {})).rejects.toMatchObject({ code: 'E_DEVTOOLS_DISCONNECTED' })
    hub.close()
  })

  it('reconnects on its own after losing the hub, failing the commands in flight', async () => {
    const { hub, socket, states } = connect()
    await until(() => states.at(-1)?.status === 'open')
    const pending = hub.command('p1', 'metrics', {})
    const before = FakeSocket.count
    socket.drop()
    await expect(pending).rejects.toMatchObject({ code: 'E_DEVTOOLS_DISCONNECTED' })
    expect(states.at(-1)).toMatchObject({ status: 'waiting', attempt: 1 })
    await until(() => FakeSocket.count === before + 1)
    FakeSocket.last!.open()
    FakeSocket.last!.receive(welcome)
    await until(() => states.at(-1)?.status === 'open')
    hub.close()
  })
})

describe('hubSocketUrl()', () => {
  it('is /ws on the page’s own origin, with the page’s query (its token) appended', () => {
    expect(hubSocketUrl({ href: 'http://127.0.0.1:7420/?token=abc#type=a', search: '?token=abc' })).toBe('ws://127.0.0.1:7420/ws?token=abc')
    expect(hubSocketUrl({ href: 'https://devtools.test/sub/', search: '' })).toBe('wss://devtools.test/ws')
  })
})
