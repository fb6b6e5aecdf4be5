import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDevtoolsHub } from '@tidings/node'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { hub, sessionCookie, upgradeStatus, viewer } from './devtools-helpers'

const withoutToken = (url: string) => url.replace(/\?token=.*$/, '')

describe('devtools hub: HTTP', () => {
  it('refuses page requests without the token, or with a wrong one, with 401', async () => {
    const h = await hub()
    const base = withoutToken(h.url)
    expect((await fetch(base)).status).toBe(401)
    expect((await fetch(`${base}?token=wrong`)).status).toBe(401)
    expect((await fetch(`${base}assets/app.js`)).status).toBe(401)
    expect((await fetch(base, { headers: { cookie: `tidings_devtools_${h.port}=wrong` } })).status).toBe(401)
  })

  it('serves the page with the token and sets an HttpOnly, SameSite=Strict session cookie, not the token, that then suffices', async () => {
    const h = await hub()
    const res = await fetch(h.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const cookie = res.headers.get('set-cookie')!
    expect(cookie).toMatch(new RegExp(`^tidings_devtools_${h.port}=[\\w-]{43}; HttpOnly; SameSite=Strict; Path=/$`))
    expect(cookie).not.toContain(h.token)
    const again = await fetch(withoutToken(h.url), { headers: { cookie: cookie.split(';')[0]! } })
    expect(again.status).toBe(200)
  })

  it('serves a built page from staticDir, its assets with the cookie alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidings-page-'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>built page</title>')
    await writeFile(join(dir, 'app.js'), 'console.log(1)')
    const h = await hub({ staticDir: dir })
    expect(await (await fetch(h.url)).text()).toContain('built page')
    const cookie = await sessionCookie(h)
    const asset = await fetch(`${withoutToken(h.url)}app.js`, { headers: { cookie } })
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toMatch(/javascript/)
    expect((await fetch(`${withoutToken(h.url)}app.js`)).status).toBe(401)
  })
})

describe('devtools hub: WebSocket refusals', () => {
  it('refuses an upgrade without the token (401), with a wrong token (401), or off /ws (404)', async () => {
    const h = await hub()
    expect(await upgradeStatus(withoutToken(h.wsUrl))).toBe(401)
    expect(await upgradeStatus(h.wsUrl.replace(/token=.*/, 'token=wrong'))).toBe(401)
    expect(await upgradeStatus(h.wsUrl.replace('/ws?', '/other?'))).toBe(404)
    expect(await upgradeStatus(h.wsUrl)).toBe(101)
  })

  it('refuses a browser Origin that is neither the hub’s, loopback, nor allowed (403)', async () => {
    const h = await hub({ origins: ['https://app.example'] })
    expect(await upgradeStatus(h.wsUrl, { origin: 'https://evil.example' })).toBe(403)
    expect(await upgradeStatus(h.wsUrl, { origin: 'null' })).toBe(403)
    expect(await upgradeStatus(h.wsUrl, { origin: 'https://app.example' })).toBe(101)
    expect(await upgradeStatus(h.wsUrl, { origin: 'http://localhost:5173' })).toBe(101)
    expect(await upgradeStatus(h.wsUrl, { origin: `http://127.0.0.1:${h.port}` })).toBe(101)
  })

  it('accepts the cookie alone only from the hub’s own origin', async () => {
    const h = await hub()
    const cookie = await sessionCookie(h)
    const bare = withoutToken(h.wsUrl)
    expect(await upgradeStatus(bare, { cookie, origin: `http://127.0.0.1:${h.port}` })).toBe(101)
    expect(await upgradeStatus(bare, { cookie, origin: 'http://localhost:5173' })).toBe(403)
  })

  it('closes a connection that sends a message over the size limit (1009)', async () => {
    const h = await hub({ maxPayload: 4096 })
    const page = await viewer(h.wsUrl)
    page.ws.send(JSON.stringify({ v: 1, t: 'command', id: 'x', producer: 'p', name: 'dispatch', args: { data: 'x'.repeat(5000) } }))
    expect((await page.closed).code).toBe(1009)
  })

  it('closes a connection that exceeds the frame rate (1008, E_DEVTOOLS_RATE_LIMIT)', async () => {
    const h = await hub({ framesPerSecond: 5, burst: 10 })
    const page = await viewer(h.wsUrl)
    for (let i = 0; i < 30; i++) page.ws.send(JSON.stringify({ v: 1, t: 'command', id: `c${i}`, producer: 'none', name: 'metrics', args: {} }))
    const error = await page.next('error')
    expect(error.code).toBe('E_DEVTOOLS_RATE_LIMIT')
    expect((await page.closed).code).toBe(1008)
  })

  it('closes a connection whose first frame is not a hello (1008) or of another protocol version (4000)', async () => {
    const h = await hub()
    const closes: number[] = []
    for (const first of ['not json', JSON.stringify({ v: 1, t: 'traffic', records: [], dropped: 0 }), JSON.stringify({ v: 2, t: 'hello', role: 'viewer' })]) {
      const ws = new WebSocket(h.wsUrl)
      await new Promise((resolve) => ws.on('open', resolve))
      const frames: Array<{ t: string; code: string }> = []
      ws.on('message', (data) => frames.push(JSON.parse(String(data))))
      ws.send(first)
      closes.push(await new Promise<number>((resolve) => ws.on('close', resolve)))
      expect(frames).toEqual([expect.objectContaining({ t: 'error', code: 'E_DEVTOOLS_PROTOCOL' })])
    }
    expect(closes).toEqual([1008, 1008, 4000])
  })

  it('closes a connection that sends no hello in time', async () => {
    const h = await hub({ helloTimeoutMs: 50 })
    const ws = new WebSocket(h.wsUrl)
    expect(await new Promise<number>((resolve) => ws.on('close', resolve))).toBe(1008)
  })

  it('answers invalid frames after hello with an error and keeps the connection', async () => {
    const h = await hub()
    const page = await viewer(h.wsUrl)
    page.ws.send(JSON.stringify({ v: 1, t: 'command', id: 'x' }))
    page.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    page.ws.send(JSON.stringify({ v: 1, t: 'traffic', records: [], dropped: 0 }))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const errors = page.frames.filter((f) => f.t === 'error')
    expect(errors).toHaveLength(3)
    expect(errors.every((e) => e.t === 'error' && e.code === 'E_DEVTOOLS_PROTOCOL')).toBe(true)
    expect(page.ws.readyState).toBe(WebSocket.OPEN)
  })
})

describe('devtools hub: binding', () => {
  it('refuses a non-loopback interface without allowRemote', async () => {
    await expect(startDevtoolsHub({ host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('allowRemote') })
  })

  it('binds another interface with allowRemote, and warns', async () => {
    const warnings: string[] = []
    const h = await hub({ host: '0.0.0.0', allowRemote: true, warn: (m) => warnings.push(m) })
    expect(warnings).toEqual([expect.stringContaining('0.0.0.0')])
    expect(h.url).toBe(`http://127.0.0.1:${h.port}/?token=${h.token}`)
    expect((await fetch(h.url)).status).toBe(200)
  })

  it('binds 127.0.0.1 by default and prints a URL with a fresh random token', async () => {
    const a = await hub()
    const b = await hub()
    expect(a.host).toBe('127.0.0.1')
    expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/)
    expect(a.wsUrl).toBe(`ws://127.0.0.1:${a.port}/ws?token=${a.token}`)
    expect(a.token).not.toBe(b.token)
  })
})
