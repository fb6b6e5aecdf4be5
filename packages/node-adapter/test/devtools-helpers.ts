import { connectDevtools } from '@tidings/core'
import type { DevtoolsBus, DevtoolsConnection, DevtoolsOptions, EventMap, HubToViewerFrame, TrafficRecord } from '@tidings/core'
import { startDevtoolsHub } from '@tidings/node'
import type { DevtoolsHub, DevtoolsHubOptions } from '@tidings/node'
import { onTestFinished } from 'vitest'
import WebSocket from 'ws'

/** A hub on a free port, closed when the test ends. */
export async function hub(options: DevtoolsHubOptions = {}): Promise<DevtoolsHub> {
  const started = await startDevtoolsHub({ port: 0, ...options })
  onTestFinished(() => started.close())
  return started
}

/** A bus connected as a producer with the `ws` WebSocket (Node 20 has none), closed when the test ends. */
export function produce<E extends EventMap>(bus: DevtoolsBus<E>, url: string, options: Partial<DevtoolsOptions> = {}): DevtoolsConnection {
  const connection = connectDevtools(bus, { url, WebSocket, batchMs: 10, ...options })
  onTestFinished(() => connection.close())
  return connection
}

/** The `name=value` of the session cookie the hub sets when the page is opened with its token. */
export async function sessionCookie(h: DevtoolsHub): Promise<string> {
  const res = await fetch(h.url)
  return res.headers.get('set-cookie')!.split(';')[0]!
}

/** Polls until `check` returns something other than undefined/false. */
export async function until<T>(check: () => T | undefined | false, timeoutMs = 3000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export interface Viewer {
  ws: WebSocket
  frames: HubToViewerFrame[]
  /** Every traffic record received so far (live and backlog), with its producer. */
  records(): Array<TrafficRecord & { producer: string }>
  next<T extends HubToViewerFrame['t']>(t: T, where?: (frame: Extract<HubToViewerFrame, { t: T }>) => boolean): Promise<Extract<HubToViewerFrame, { t: T }>>
  command(producer: string, name: string, args?: Record<string, unknown>): Promise<Extract<HubToViewerFrame, { t: 'result' }>>
  closed: Promise<{ code: number; reason: string }>
}

let commandSeq = 0

/** A viewer client speaking the protocol, as the page does. */
export async function viewer(url: string, hello: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Viewer> {
  const ws = new WebSocket(url, { headers })
  onTestFinished(() => ws.terminate())
  const frames: HubToViewerFrame[] = []
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as HubToViewerFrame))
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })))
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  ws.send(JSON.stringify({ v: 1, t: 'hello', role: 'viewer', ...hello }))
  const next: Viewer['next'] = (t, where) => until(() => frames.find((f) => f.t === t && (!where || where(f as never))), 3000, `a ${t} frame`) as never
  await next('welcome')
  return {
    ws, frames, closed, next,
    records: () => frames.flatMap((f) => {
      if (f.t === 'traffic') return f.records.map((r) => ({ ...r, producer: f.producer }))
      if (f.t === 'backlog') return f.frames.flatMap((b) => b.records.map((r) => ({ ...r, producer: b.producer })))
      return []
    }),
    async command(producer, name, args = {}) {
      const id = `t${++commandSeq}`
      ws.send(JSON.stringify({ v: 1, t: 'command', id, producer, name, args }))
      return next('result', (f) => f.id === id)
    },
  }
}

/** Opens a raw WebSocket and resolves with the HTTP status of a refused upgrade, or 101. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.on('open', () => {
      resolve(101)
      ws.close()
    })
    ws.on('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error)
    })
  })
}
