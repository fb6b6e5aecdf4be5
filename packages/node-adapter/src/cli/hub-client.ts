import { realpath } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DEVTOOLS_PROTOCOL_VERSION, decodeDevtoolsFrame, encodeDevtoolsFrame } from '@tidings/core'
import type { HubToViewerFrame, ProducerInfo, ProducersFrame, ViewerFrame, WireError } from '@tidings/core'
import WebSocket from 'ws'
import { CliError, ExitCode } from './exit-codes'
import type { HubAccess } from './hub-access'

const CONNECT_TIMEOUT_MS = 5000
const COMMAND_TIMEOUT_MS = 60_000

/** What the hub's refusal of the upgrade means (docs/devtools-protocol.md §1), and what to do. */
const REFUSALS: Record<string, [ExitCode, string]> = {
  401: [ExitCode.REFUSED, 'refused the token (401): pass the URL `tidings devtools` printed this time, or the token of the file it was started with (--token-file); a hub started without --token-file draws a new token each time'],
  404: [ExitCode.UNAVAILABLE, 'has no devtools endpoint (404): is --hub the URL `tidings devtools` printed?'],
  503: [ExitCode.UNAVAILABLE, 'has all its connections in use (503): close pages or services you no longer use, or start it with a higher --max-connections'],
}

/** Why a connection to the hub failed, as the CLI reports it. `ws` names a refused upgrade's HTTP status in its message. */
const connectionError = (hub: HubAccess, error: Error): CliError => {
  const status = /Unexpected server response: (\d+)/.exec(error.message)?.[1]
  const refusal = status === undefined ? undefined : REFUSALS[status]
  if (refusal) return new CliError(refusal[0], `The devtools hub at ${hub.shown} ${refusal[1]}`)
  return new CliError(ExitCode.UNAVAILABLE, `Cannot reach the devtools hub at ${hub.shown} (${error.message}): is \`tidings devtools\` running, and is --hub the URL it printed?`)
}

/** Why the hub ended a connection it had accepted: 1001 when it shuts down, 1006 when its process died. */
const closeError = (hub: HubAccess, code: number, last: string | undefined): CliError => {
  if (code === 1001 || code === 1006) return new CliError(ExitCode.UNAVAILABLE, `The devtools hub at ${hub.shown} stopped`)
  return new CliError(ExitCode.FAILED, `The devtools hub at ${hub.shown} closed the connection (${code})${last ? `: ${last}` : ''}`)
}

/** A viewer connection to the hub. */
export interface HubSession {
  /** The hub's first list of producers; rejects with the CLI error when the hub cannot be reached or refuses. */
  readonly greeted: Promise<ProducersFrame>
  /** Resolves when the connection ends: with the error saying why, or undefined after close(). */
  readonly ended: Promise<CliError | undefined>
  send(frame: ViewerFrame): void
  close(): void
}

/**
 * Connects to the hub as a viewer (`live`: with its traffic, backlog first; else for commands only)
 * and hands every frame it sends to `onFrame`.
 */
export function openHubSession(hub: HubAccess, hello: { name: string; live: boolean }, onFrame: (frame: HubToViewerFrame) => void): HubSession {
  const ws = new WebSocket(hub.socketUrl)
  let closing = false
  let failure: CliError | undefined
  let lastError: string | undefined
  const greeted = new Promise<ProducersFrame>((resolveGreeting, rejectGreeting) => {
    const timer = setTimeout(() => {
      failure = new CliError(ExitCode.UNAVAILABLE, `The devtools hub at ${hub.shown} did not answer within ${CONNECT_TIMEOUT_MS} ms`)
      ws.terminate()
    }, CONNECT_TIMEOUT_MS)
    ws.on('open', () => ws.send(encodeDevtoolsFrame({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'hello', role: 'viewer', ...hello, backlog: hello.live })))
    ws.on('error', (error) => {
      failure ??= connectionError(hub, error)
    })
    ws.on('message', (data) => {
      let frame: HubToViewerFrame
      try {
        frame = decodeDevtoolsFrame(String(data), 'hub') as HubToViewerFrame
      } catch {
        return
      }
      if (frame.t === 'producers') {
        clearTimeout(timer)
        resolveGreeting(frame)
      }
      if (frame.t === 'error') lastError = frame.message
      onFrame(frame)
    })
    ws.on('close', (code) => {
      clearTimeout(timer)
      rejectGreeting(failure ?? closeError(hub, code, lastError))
    })
  })
  const ended = new Promise<CliError | undefined>((resolveEnd) => {
    ws.on('close', (code) => resolveEnd(closing ? undefined : failure ?? closeError(hub, code, lastError)))
  })
  return {
    greeted,
    ended,
    send: (frame) => ws.send(encodeDevtoolsFrame(frame)),
    close() {
      closing = true
      ws.close()
    },
  }
}

/** A connection to a hub, as a viewer that only runs commands on the producer owning a store. */
export interface OwnerSession {
  producer: ProducerInfo
  run(name: string, args: Record<string, unknown>): Promise<unknown>
  close(): void
}

const samePath = async (a: string, b: string): Promise<boolean> => {
  const real = (p: string) => realpath(p).catch(() => resolve(p))
  return (await real(a)) === (await real(b))
}

/** A failed command, as the CLI reports it. */
export class CommandFailed extends Error {
  constructor(readonly error: WireError) {
    super(`${error.code}: ${error.message}`)
  }
}

/**
 * Connects to the hub and finds the producer that announced `dir` as its store. Resolves to
 * undefined when no connected producer owns it; rejects with the CLI error when the hub cannot be reached.
 */
export async function ownerOf(hub: HubAccess, dir: string): Promise<OwnerSession | undefined> {
  const waiting = new Map<string, { resolve(value: unknown): void; reject(error: Error): void }>()
  let seq = 0
  const session = openHubSession(hub, { name: 'tidings cli', live: false }, (frame) => {
    if (frame.t !== 'result') return
    const w = waiting.get(frame.id)
    waiting.delete(frame.id)
    if (frame.ok) w?.resolve(frame.value)
    else w?.reject(new CommandFailed(frame.error ?? { code: 'E_INTERNAL', message: 'failed without a reason' }))
  })
  void session.ended.then((error) => {
    for (const w of waiting.values()) w.reject(error ?? new CliError(ExitCode.UNAVAILABLE, 'The devtools hub closed the connection'))
  })
  const list = (await session.greeted).producers
  let owner: ProducerInfo | undefined
  for (const p of list) if (p.storeDir !== undefined && (await samePath(p.storeDir, dir))) owner = p
  if (owner === undefined) {
    session.close()
    return undefined
  }
  const producer = owner
  return {
    producer,
    run(name, args) {
      const id = `cli${++seq}`
      return new Promise((resolveRun, rejectRun) => {
        const timer = setTimeout(() => {
          waiting.delete(id)
          rejectRun(new CliError(ExitCode.UNAVAILABLE, `Producer "${producer.name}" did not answer "${name}" within ${COMMAND_TIMEOUT_MS / 1000} s`))
        }, COMMAND_TIMEOUT_MS)
        waiting.set(id, {
          resolve: (value) => (clearTimeout(timer), resolveRun(value)),
          reject: (error) => (clearTimeout(timer), rejectRun(error)),
        })
        session.send({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'command', id, producer: producer.id, name, args })
      })
    },
    close: () => session.close(),
  }
}
