import { DEVTOOLS_PROTOCOL_VERSION, decodeDevtoolsFrame } from '@tidings/core'
import { SlicedQueue } from './sliced-queue'
import type { CommandArgs, CommandName, CommandValues, FramesFrom, HubLimits, HubToViewerFrame, WireError } from '@tidings/core'

export type ConnectionState =
  | { status: 'connecting'; attempt: number }
  | { status: 'open'; since: number; limits: HubLimits; hubVersion: string }
  | { status: 'waiting'; attempt: number; retryAt: number; reason: string }

/** A command the producer (or the hub on its behalf) answered with `ok: false`. */
export class CommandError extends Error {
  readonly code: string
  readonly details: Record<string, unknown> | undefined

  constructor(error: WireError) {
    super(error.message)
    this.name = 'CommandError'
    this.code = error.code
    this.details = error.details
  }
}

/** The browser's WebSocket, or a stand-in with the same surface (tests). */
export type SocketConstructor = new (url: string) => WebSocket

export interface HubConnectionOptions {
  url: string
  onFrame: (frame: HubToViewerFrame) => void
  onState: (state: ConnectionState) => void
  /** A frame that failed validation: reported, then ignored as the protocol says. */
  onInvalid?: (message: string) => void
  WebSocket?: SocketConstructor
}

export interface HubConnection {
  /** Frames received but not yet processed: a growing number means the page is falling behind. */
  backlog(): number
  command<N extends CommandName>(producer: string, name: N, args: CommandArgs[N]): Promise<CommandValues[N]>
  close(): void
}

const BACKOFF_INITIAL_MS = 250
const BACKOFF_MAX_MS = 5000
/** Beyond the hub's own command timeout, so the hub's E_TIMEOUT result normally arrives first. */
const COMMAND_GRACE_MS = 5000

/** The page's WebSocket endpoint: `/ws` on its own origin, with the page's query (the token) appended. */
export const hubSocketUrl = (location: { href: string; search: string }): string =>
  new URL('/ws', location.href).href.replace(/^http/, 'ws') + location.search

interface Pending {
  resolve: (value: never) => void
  reject: (error: Error) => void
  timer: ReturnType<typeof setTimeout>
}

/** Connects as a viewer, validates every frame, reconnects with backoff, and pairs commands with results. */
export function connectToHub(options: HubConnectionOptions): HubConnection {
  const Socket = options.WebSocket ?? WebSocket
  const pending = new Map<string, Pending>()
  let socket: WebSocket | undefined
  let state: ConnectionState = { status: 'connecting', attempt: 0 }
  let attempt = 0
  let nextId = 0
  let closed = false
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined

  const setState = (next: ConnectionState) => {
    state = next
    options.onState(next)
  }

  const failPending = (reason: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer)
      p.reject(new CommandError({ code: 'E_DEVTOOLS_DISCONNECTED', message: reason }))
      pending.delete(id)
    }
  }

  const scheduleReconnect = (reason: string) => {
    if (closed) return
    const delay = Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** attempt)
    attempt++
    setState({ status: 'waiting', attempt, retryAt: Date.now() + delay, reason })
    reconnectTimer = setTimeout(open, delay)
  }

  const onMessage = (data: unknown) => {
    if (typeof data !== 'string') return
    let frame: FramesFrom['hub']
    try {
      frame = decodeDevtoolsFrame(data, 'hub')
    } catch (error) {
      options.onInvalid?.((error as Error).message)
      return
    }
    switch (frame.t) {
      case 'welcome':
        attempt = 0
        setState({ status: 'open', since: Date.now(), limits: frame.limits, hubVersion: frame.hub.version })
        return
      case 'result': {
        const p = pending.get(frame.id)
        if (!p) return
        pending.delete(frame.id)
        clearTimeout(p.timer)
        if (frame.ok) p.resolve(frame.value as never)
        else p.reject(new CommandError(frame.error ?? { code: 'E_DEVTOOLS_PROTOCOL', message: 'The command failed without an error' }))
        return
      }
      case 'command':
        return
      default:
        options.onFrame(frame)
    }
  }

  function open() {
    if (closed) return
    setState({ status: 'connecting', attempt })
    let ws: WebSocket
    try {
      ws = new Socket(options.url)
    } catch (error) {
      scheduleReconnect((error as Error).message)
      return
    }
    socket = ws
    ws.onopen = () => {
      ws.send(JSON.stringify({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'hello', role: 'viewer', name: 'page', live: true, backlog: true }))
    }
    ws.onmessage = (event) => inbox.push(event.data)
    ws.onclose = (event) => {
      if (socket !== ws) return
      socket = undefined
      failPending('The connection to the hub was lost before the answer came')
      // A refused upgrade (wrong token, hub gone) shows up as 1006 without a reason.
      scheduleReconnect(event.reason || (event.code === 1006 ? 'hub unreachable or token refused' : `closed (${event.code})`))
    }
  }

  const inbox = new SlicedQueue<unknown>(onMessage)
  open()

  return {
    backlog: () => inbox.length,
    command(producer, name, args) {
      const ws = socket
      if (!ws || state.status !== 'open') {
        return Promise.reject(new CommandError({ code: 'E_DEVTOOLS_DISCONNECTED', message: 'Not connected to the hub' }))
      }
      const id = `c${++nextId}`
      const timeoutMs = state.limits.commandTimeoutMs + COMMAND_GRACE_MS
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new CommandError({ code: 'E_TIMEOUT', message: `No answer to ${name} within ${timeoutMs} ms` }))
        }, timeoutMs)
        pending.set(id, { resolve: resolve as (value: never) => void, reject, timer })
        ws.send(JSON.stringify({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'command', id, producer, name, args }))
      })
    },
    close() {
      closed = true
      clearTimeout(reconnectTimer)
      failPending('The page closed the connection')
      socket?.close(1000)
      socket = undefined
    },
  }
}
