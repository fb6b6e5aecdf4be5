import { realpath } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DEVTOOLS_PROTOCOL_VERSION, decodeDevtoolsFrame, devtoolsSocketURL, encodeDevtoolsFrame } from '@tidings/core'
import type { HubToViewerFrame, ProducerInfo, WireError } from '@tidings/core'
import WebSocket from 'ws'
import { CliError, ExitCode } from './exit-codes'

/** A connection to a hub, as a viewer that only runs commands (no live traffic). */
export interface OwnerSession {
  producer: ProducerInfo
  run(name: string, args: Record<string, unknown>): Promise<unknown>
  close(): void
}

const CONNECT_TIMEOUT_MS = 5000
const COMMAND_TIMEOUT_MS = 60_000

const socketURL = (url: string): string => {
  try {
    return devtoolsSocketURL(url, undefined)
  } catch (error) {
    throw new CliError(ExitCode.USAGE, `--hub: ${(error as Error).message}`)
  }
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
 * undefined when no connected producer owns it; rejects with exit code 3 when the hub is unreachable.
 */
export async function ownerOf(hubUrl: string, dir: string): Promise<OwnerSession | undefined> {
  const ws = new WebSocket(socketURL(hubUrl))
  const waiting = new Map<string, { resolve(value: unknown): void; reject(error: Error): void }>()
  let seq = 0
  const producers = new Promise<ProducerInfo[]>((resolveList, rejectList) => {
    const timer = setTimeout(() => {
      ws.terminate()
      rejectList(new CliError(ExitCode.UNAVAILABLE, `The devtools hub at ${hubUrl.replace(/token=[^&]*/, 'token=…')} did not answer within ${CONNECT_TIMEOUT_MS} ms`))
    }, CONNECT_TIMEOUT_MS)
    ws.on('open', () => ws.send(encodeDevtoolsFrame({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'hello', role: 'viewer', name: 'tidings cli', live: false })))
    ws.on('error', (error) => {
      clearTimeout(timer)
      rejectList(new CliError(ExitCode.UNAVAILABLE, `Cannot reach the devtools hub (${error.message}): is \`tidings devtools\` running, and is --hub the URL it printed, token included?`))
    })
    ws.on('close', () => {
      for (const w of waiting.values()) w.reject(new CliError(ExitCode.UNAVAILABLE, 'The devtools hub closed the connection'))
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
        resolveList(frame.producers)
      } else if (frame.t === 'result') {
        const w = waiting.get(frame.id)
        waiting.delete(frame.id)
        if (frame.ok) w?.resolve(frame.value)
        else w?.reject(new CommandFailed(frame.error ?? { code: 'E_INTERNAL', message: 'failed without a reason' }))
      }
    })
  })
  const list = await producers
  let owner: ProducerInfo | undefined
  for (const p of list) if (p.storeDir !== undefined && (await samePath(p.storeDir, dir))) owner = p
  if (owner === undefined) {
    ws.close()
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
        ws.send(encodeDevtoolsFrame({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'command', id, producer: producer.id, name, args }))
      })
    },
    close: () => ws.close(),
  }
}
