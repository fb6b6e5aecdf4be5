import { createHash } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBus, standard } from '@tidings/core'
import { startDevtoolsHub } from '@tidings/node'
import type { DevtoolsHub } from '@tidings/node'
import { describe, expect, it, onTestFinished } from 'vitest'
import WebSocket from 'ws'
import { PLACEHOLDER_PAGE } from '../src/devtools/placeholder-page'
import { pageHandler } from '../src/devtools/static-site'
import { cli } from './cli-helpers'
import { hub, produce, sessionCookie, until, upgradeStatus, viewer } from './devtools-helpers'

interface Raw {
  ws: WebSocket
  frames: Array<Record<string, unknown> & { t: string }>
  closed: Promise<number>
  next(t: string, where?: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
}

/** A client that says whatever the test wants, starting with `first`. */
async function raw(url: string, first: unknown): Promise<Raw> {
  const ws = new WebSocket(url)
  onTestFinished(() => ws.terminate())
  const frames: Raw['frames'] = []
  ws.on('message', (data) => frames.push(JSON.parse(String(data))))
  const closed = new Promise<number>((resolve) => ws.on('close', resolve))
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  ws.send(typeof first === 'string' ? first : JSON.stringify(first))
  const next: Raw['next'] = (t, where) => until(() => frames.find((f) => f.t === t && (!where || where(f))), 5000, `a ${t} frame`)
  return { ws, frames, closed, next }
}

const producerHello = (instance: string, extra: Record<string, unknown> = {}) =>
  ({ v: 1, t: 'hello', role: 'producer', instance, name: instance, source: '/hostile', catalog: [], ...extra })

const nested = (depth: number, leaf: unknown = 1): string => '['.repeat(depth) + JSON.stringify(leaf) + ']'.repeat(depth)

const emitted = (id: string, dataJson: string) =>
  `{"k":"emitted","at":1,"envelope":{"specversion":"1.0","id":"${id}","source":"/hostile","type":"probe","data":${dataJson}}}`

/** Stops reading the socket: the hub's writes to it pile up in the kernel, then in the hub. */
const stall = (ws: WebSocket) => (ws as unknown as { _socket: { pause(): void } })._socket.pause()
const unstall = (ws: WebSocket) => (ws as unknown as { _socket: { resume(): void } })._socket.resume()

const fast = { framesPerSecond: 100_000, burst: 100_000 }

describe('hostile hub clients: nesting depth', () => {
  // Every way in: each frame kind a producer or viewer sends, at three depths over the limit.
  const depths = [101, 5_000, 200_000]
  const kinds: Array<[string, (deep: string) => string]> = [
    ['traffic', (deep) => `{"v":1,"t":"traffic","dropped":0,"records":[${emitted('deep', deep)}]}`],
    ['metrics', (deep) => `{"v":1,"t":"metrics","dropped":0,"snapshot":${deep}}`],
    ['catalog', (deep) => `{"v":1,"t":"catalog","catalog":[{"type":"x","version":1,"persist":false,"schema":{"a":${deep}}}]}`],
    ['result', (deep) => `{"v":1,"t":"result","id":"h1","ok":true,"value":${deep}}`],
  ]

  it(`refuses frames nested deeper than the limit (${kinds.length + 2} frame kinds × ${depths.length} depths), keeps the connection, and never stores them`, async () => {
    const h = await hub({ maxPayload: 1 << 20, ...fast })
    const producer = await raw(h.wsUrl, producerHello('p1'))
    await producer.next('welcome')
    const page = await viewer(h.wsUrl)
    let refused = 0
    for (const depth of depths) {
      for (const [, frame] of kinds) producer.ws.send(frame(nested(depth)))
      page.ws.send(`{"v":1,"t":"command","id":"c","producer":"p1","name":"dispatch","args":{"data":${nested(depth)}}}`)
      refused += kinds.length + 1
      // A hello that deep: refused and closed before it registers anything.
      const hello = JSON.stringify(producerHello('p2')).replace('"catalog":[]', `"catalog":[{"type":"x","version":1,"persist":false,"schema":{"a":${nested(depth)}}}]`)
      const late = await raw(h.wsUrl, hello)
      expect(await late.closed).toBe(1008)
      expect(late.frames).toEqual([expect.objectContaining({ t: 'error', code: 'E_DEVTOOLS_PROTOCOL', message: expect.stringContaining('levels deep') })])
      refused++
    }
    const errors = () => producer.frames.filter((f) => f.t === 'error').length + page.frames.filter((f) => f.t === 'error').length
    await until(() => errors() === depths.length * (kinds.length + 1), 5000, 'an error frame per deep frame')
    expect(refused).toBe(depths.length * (kinds.length + 2))
    expect(producer.ws.readyState).toBe(WebSocket.OPEN)

    // A valid record at the edge still passes; the late viewers get it, and nothing deep.
    producer.ws.send(`{"v":1,"t":"traffic","dropped":0,"records":[${emitted('ok', nested(90))}]}`)
    await page.next('traffic')
    for (let i = 0; i < 5; i++) {
      const late = await viewer(h.wsUrl)
      const backlog = await late.next('backlog')
      expect(backlog.frames.flatMap((f) => f.records).map((r) => (r.k === 'emitted' ? r.envelope.id : r.k))).toEqual(['ok'])
      late.ws.close()
    }
    expect(h.producers().map((p) => p.catalog)).toEqual([[]])
    await until(() => h.stats().viewers === 1 && h.stats().connections === 2, 3000, 'the late viewers released')
  })
})

describe('hostile hub clients: stalled viewers', () => {
  it('keeps the hub’s buffers bounded while a producer re-sends a large catalog to a stalled viewer, and sends the latest once it reads again', async () => {
    const mark = 256 << 10
    const h = await hub({ viewerHighWaterMark: mark, maxPayload: 1 << 20, ...fast })
    const page = await viewer(h.wsUrl)
    stall(page.ws)
    const producer = await raw(h.wsUrl, producerHello('big'))
    await producer.next('welcome')
    const entry = (n: number) => ({ type: `t${n}`, version: 1, persist: false, description: 'x'.repeat(900 << 10) })
    let peak = 0
    const sends = 60
    for (let n = 0; n < sends; n++) {
      producer.ws.send(JSON.stringify({ v: 1, t: 'catalog', catalog: [entry(n)] }))
      if (n % 10 === 9) {
        await until(() => producer.ws.bufferedAmount === 0 && h.producers()[0]?.catalog[0]?.type === `t${n}`, 10_000, 'the hub to take the catalog')
        peak = Math.max(peak, h.stats().bufferedBytes)
      }
    }
    // ~54 MB of catalogs were re-sent; the hub holds at most the mark plus one frame for the viewer.
    expect(peak).toBeLessThanOrEqual(mark + (1 << 20) + (64 << 10))
    expect(h.stats().viewerSkipped).toBeGreaterThan(0)
    unstall(page.ws)
    await until(() => page.frames.some((f) => f.t === 'producers' && f.producers[0]?.catalog[0]?.type === `t${sends - 1}`), 10_000, 'the latest catalog')
  }, 30_000)

  it('pages the backlog to a stalled viewer under the mark, and delivers all of it in order once it reads', async () => {
    const mark = 128 << 10
    const h = await hub({ viewerHighWaterMark: mark, backlog: 2000, backlogBytes: 32 << 20, ...fast })
    const producer = await raw(h.wsUrl, producerHello('p'))
    await producer.next('welcome')
    const payload = JSON.stringify('y'.repeat(8 << 10))
    for (let batch = 0; batch < 20; batch++) {
      const records = Array.from({ length: 100 }, (_, i) => emitted(`e${batch * 100 + i}`, payload))
      producer.ws.send(`{"v":1,"t":"traffic","dropped":0,"records":[${records.join(',')}]}`)
    }
    const ws = new WebSocket(h.wsUrl)
    onTestFinished(() => ws.terminate())
    const ids: string[] = []
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { t: string; frames?: Array<{ records: Array<{ envelope: { id: string } }> }> }
      if (frame.t === 'backlog') for (const f of frame.frames!) for (const r of f.records) ids.push(r.envelope.id)
    })
    await new Promise((resolve) => ws.once('open', resolve))
    await until(() => h.stats().producers === 1 && producer.ws.bufferedAmount === 0, 3000, 'the traffic taken')
    await new Promise((resolve) => setTimeout(resolve, 200))
    stall(ws)
    ws.send(JSON.stringify({ v: 1, t: 'hello', role: 'viewer' }))
    await until(() => h.stats().viewers === 1, 3000, 'the viewer registered')
    // ~16 MB of backlog: the hub writes only while the viewer keeps up.
    let peak = 0
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 60))
      peak = Math.max(peak, h.stats().bufferedBytes)
    }
    expect(peak).toBeLessThanOrEqual(mark + (512 << 10))
    unstall(ws)
    await until(() => ids.length === 2000, 15_000, 'the whole backlog')
    expect(ids).toEqual(Array.from({ length: 2000 }, (_, i) => `e${i}`))
  }, 30_000)

  it('drops live traffic for a stalled viewer (counted), and disconnects a stalled viewer that keeps asking for results', async () => {
    const mark = 64 << 10
    const h = await hub({ viewerHighWaterMark: mark, ...fast })
    const page = await viewer(h.wsUrl, { backlog: false })
    stall(page.ws)
    const producer = await raw(h.wsUrl, producerHello('p'))
    await producer.next('welcome')
    const big = JSON.stringify('z'.repeat(512 << 10))
    for (let i = 0; i < 80 && h.stats().viewerDropped === 0; i++) {
      producer.ws.send(`{"v":1,"t":"traffic","dropped":0,"records":[${emitted(`e${i}`, big)}]}`)
      await until(() => producer.ws.bufferedAmount === 0, 3000, 'the frame sent')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(h.stats().viewerDropped).toBeGreaterThan(0)
    expect(h.stats().bufferedBytes).toBeLessThanOrEqual(mark + (600 << 10))
    page.ws.send(JSON.stringify({ v: 1, t: 'command', id: 'x', producer: 'nobody', name: 'metrics', args: {} }))
    await until(() => h.stats().slowViewersCut === 1, 3000, 'the stalled viewer cut')
    await until(() => h.stats().viewers === 0, 3000, 'the viewer released')
  }, 20_000)
})

describe('hostile hub clients: producer takeover', () => {
  it('gives a connection that reuses a producer id without its secret a fresh id (4 kinds of attempt), and never disturbs the owner', async () => {
    const h = await hub()
    const owner = await raw(h.wsUrl, producerHello('victim'))
    const welcome = await owner.next('welcome')
    expect(welcome).toMatchObject({ producer: 'victim', resume: expect.stringMatching(/^[\w-]{32}$/) })
    const other = await raw(h.wsUrl, producerHello('bystander'))
    const otherSecret = (await other.next('welcome')).resume as string
    const attempts = [undefined, 'guess', '', otherSecret]
    for (const resume of attempts) {
      const thief = await raw(h.wsUrl, producerHello('victim', resume === undefined ? {} : { resume }))
      const got = await thief.next('welcome')
      expect(got.producer).not.toBe('victim')
      expect(got.producer).toMatch(/^victim~/)
      thief.ws.close()
    }
    expect(owner.ws.readyState).toBe(WebSocket.OPEN)
    expect(h.producers().find((p) => p.id === 'victim')?.name).toBe('victim')
    // A page's command to "victim" reaches the owner, not a thief.
    const page = await viewer(h.wsUrl)
    page.ws.send(JSON.stringify({ v: 1, t: 'command', id: 'q', producer: 'victim', name: 'metrics', args: {} }))
    await owner.next('command')

    // Once the owner has left, the id is still not free for the taking.
    owner.ws.close()
    await until(() => !h.producers().some((p) => p.id === 'victim'), 3000, 'the owner gone')
    const squatter = await raw(h.wsUrl, producerHello('victim'))
    expect((await squatter.next('welcome')).producer).not.toBe('victim')
    // With its secret, the owner gets its id back and replaces a stale connection of its own (4001).
    const back = await raw(h.wsUrl, producerHello('victim', { resume: welcome.resume }))
    expect(await back.next('welcome')).toMatchObject({ producer: 'victim', resume: welcome.resume })
    const again = await raw(h.wsUrl, producerHello('victim', { resume: welcome.resume }))
    expect((await again.next('welcome')).producer).toBe('victim')
    expect(await back.closed).toBe(4001)
  })

  it('lets connectDevtools keep its id across its own reconnects and after a hub restart', async () => {
    const first = await startDevtoolsHub({ port: 0 })
    const { port, token } = first
    let current: DevtoolsHub = first
    onTestFinished(() => current.close())
    const bus = createBus({ source: '/shop' }, standard())
    const connection = produce(bus, first.url, { reconnect: { initialMs: 10, maxMs: 50 } })
    await connection.connected
    const id = first.producers()[0]!.id
    await first.close()
    current = await startDevtoolsHub({ port, token })
    await until(() => current.producers().length === 1, 5000, 'the producer back after the restart')
    expect(current.producers()[0]!.id).toBe(id)
    bus.emit('after.restart', {})
    const page = await viewer(current.wsUrl)
    await until(() => page.records().some((r) => r.k === 'emitted' && r.envelope.type === 'after.restart'), 3000, 'traffic after the restart')
  })
})

describe('hostile hub clients: credentials and headers', () => {
  it('refuses an empty or short token (5 lengths), in the API and the CLI, saying to omit it', async () => {
    for (const token of ['', 'a', 'short', 'x'.repeat(15)]) {
      await expect(startDevtoolsHub({ port: 0, token })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('omit it') })
    }
    const ok = await hub({ token: 'x'.repeat(16) })
    expect((await fetch(ok.url)).status).toBe(200)
    const run = await cli(['devtools', '--port', '0', '--token', ''])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('an empty token')
  }, 20_000)

  it('sets a cookie that is not the token and does not open the hub as a token, nor after a restart', async () => {
    const h = await hub()
    const cookie = await sessionCookie(h)
    const value = cookie.split('=')[1]!
    expect(value).not.toBe(h.token)
    expect(value).not.toContain(h.token)
    const base = h.url.replace(/\?.*/, '')
    expect((await fetch(base, { headers: { cookie } })).status).toBe(200)
    expect((await fetch(`${base}?token=${value}`)).status).toBe(401)
    expect(await upgradeStatus(h.wsUrl.replace(/token=.*/, `token=${value}`))).toBe(401)
    expect((await fetch(base, { headers: { cookie: `tidings_devtools_${h.port}=${h.token}` } })).status).toBe(401)
    const { port, token } = h
    await h.close()
    const restarted = await hub({ port, token })
    // Not on a pooled connection to the hub that was closed.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await fetch(base, { headers: { cookie } })).status).toBe(401)
    expect((await fetch(restarted.url)).status).toBe(200)
  })

  it('serves the page, its assets and its refusals with CSP (frame-ancestors none), X-Frame-Options, Referrer-Policy and nosniff', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidings-page-'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>built page</title><script type="module" src="/app.js"></script>')
    await writeFile(join(dir, 'app.js'), 'console.log(1)')
    const built = await hub({ staticDir: dir })
    const cookie = await sessionCookie(built)
    const base = (h: DevtoolsHub) => h.url.replace(/\?.*/, '')
    const responses = [
      await fetch(built.url), await fetch(`${base(built)}app.js`, { headers: { cookie } }), await fetch(`${base(built)}missing.js`, { headers: { cookie } }),
      await fetch(base(built)),
    ]
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 401])
    for (const res of responses) {
      const csp = res.headers.get('content-security-policy')!
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain("connect-src 'self'")
      expect(csp).not.toContain('unsafe-inline')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('allows the placeholder page’s inline script and style by their hashes only', () => {
    const { csp } = pageHandler(undefined)
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
    const script = /<script type="module">([\s\S]*?)<\/script>/.exec(PLACEHOLDER_PAGE)![1]!
    const style = /<style>([\s\S]*?)<\/style>/.exec(PLACEHOLDER_PAGE)![1]!
    expect(csp).toContain(`script-src 'self' ${hash(script)};`)
    expect(csp).toContain(`style-src 'self' ${hash(style)};`)
    expect(csp).not.toContain('unsafe-inline')
  })
})

describe('hostile hub clients: connections', () => {
  it('caps open connections (503), and releases every refused or closed one', async () => {
    const h = await hub({ maxConnections: 3, helloTimeoutMs: 200 })
    const pages = [await viewer(h.wsUrl), await viewer(h.wsUrl)]
    const silent = new WebSocket(h.wsUrl)
    onTestFinished(() => silent.terminate())
    await new Promise((resolve) => silent.once('open', resolve))
    expect(h.stats().connections).toBe(3)
    expect(await upgradeStatus(h.wsUrl)).toBe(503)
    expect(await upgradeStatus(h.wsUrl)).toBe(503)
    expect(h.stats().refusedConnections).toBe(2)
    // The silent one is closed for sending no hello; its slot is released.
    await until(() => h.stats().connections === 2, 3000, 'the silent connection released')
    // Refused at every stage: bad first frame, wrong version, deep hello, not JSON.
    for (const first of ['{"v":1,"t":"traffic","records":[],"dropped":0}', '{"v":2,"t":"hello","role":"viewer"}', nested(500), 'not json']) {
      const client = await raw(h.wsUrl, first)
      await client.closed
    }
    await until(() => h.stats().connections === 2, 3000, 'the refused connections released')
    for (const page of pages) page.ws.close()
    await until(() => h.stats().connections === 0 && h.stats().viewers === 0, 3000, 'everything released')
    expect(await upgradeStatus(h.wsUrl)).toBe(101)
  })
})
