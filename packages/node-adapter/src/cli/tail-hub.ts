import type { HubToViewerFrame, ProducerInfo, ProducersFrame, TrafficRecord } from '@tidings/core'
import { ExitCode } from './exit-codes'
import { trafficJSON, trafficLine } from './format'
import type { HubAccess } from './hub-access'
import { openHubSession } from './hub-client'
import { interrupted } from './interrupted'
import type { Io } from './output'
import { trafficFilter } from './traffic-filter'
import type { TrafficFilterOptions } from './traffic-filter'

export interface HubTailOptions extends TrafficFilterOptions {
  /** How many of the latest lines of the hub's backlog to print first (0: all it has). */
  limit: number
  json: boolean
}

/**
 * The hub marks no end to its backlog: the first live traffic ends it, or, on a quiet hub, this
 * long without a further backlog page (pages follow each other as fast as the socket takes them).
 */
const BACKLOG_QUIET_MS = 150

/** How many printed event ids are remembered, so that a bus reporting an event it received through its transport does not print it again. */
const REMEMBERED_IDS = 50_000

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/**
 * Follows a hub's live traffic until Ctrl+C: its backlog's latest `limit` lines first, then every
 * record as producers send it, one line each. Resolves with the exit code; a hub that cannot be
 * reached, refuses the token or stops rejects with the CLI error saying so.
 */
export async function tailHub(hub: HubAccess, options: HubTailOptions, io: Io): Promise<number> {
  const producers = new Map<string, ProducerInfo>()
  const accepts = trafficFilter(options)
  const printed = new Set<string>()
  const producerDropped = new Map<string, number>()
  let connected: Set<string> | undefined
  let hubDropped = 0
  let held: string[] | undefined = []
  let quiet: NodeJS.Timeout | undefined
  const note = (line: string) => io.err(io.errColor.dim(line))
  const warn = (line: string) => io.err(io.errColor.yellow(line))

  const print = (line: string) => {
    if (held === undefined) return io.out(line)
    held.push(line)
    if (options.limit > 0 && held.length > options.limit) held.shift()
  }
  const endBacklog = () => {
    clearTimeout(quiet)
    if (held === undefined) return
    for (const line of held) io.out(line)
    held = undefined
  }

  const isNew = (id: string) => {
    if (printed.has(id)) return false
    printed.add(id)
    if (printed.size > REMEMBERED_IDS) printed.delete(printed.values().next().value!)
    return true
  }

  const show = (producerId: string, records: readonly TrafficRecord[]) => {
    const producer = producers.get(producerId)
    const bus = producer?.name ?? producerId
    for (const record of records) {
      if (!accepts(producer, producerId, record)) continue
      if (record.k === 'emitted' && !isNew(record.envelope.id)) continue
      print(options.json ? trafficJSON(record, producerId, bus) : trafficLine(record, bus, io.color))
    }
  }

  const updateProducers = (frame: ProducersFrame) => {
    for (const p of [...(frame.departed ?? []), ...frame.producers]) producers.set(p.id, p)
    const now = new Set(frame.producers.map((p) => p.id))
    if (connected !== undefined) {
      for (const id of now) if (!connected.has(id)) note(`bus ${producers.get(id)!.name} connected`)
      for (const id of connected) if (!now.has(id)) note(`bus ${producers.get(id)?.name ?? id} disconnected`)
    }
    connected = now
  }

  const onFrame = (frame: HubToViewerFrame) => {
    if (frame.t === 'producers') updateProducers(frame)
    else if (frame.t === 'backlog') {
      for (const page of frame.frames) show(page.producer, page.records)
      clearTimeout(quiet)
      quiet = setTimeout(endBacklog, BACKLOG_QUIET_MS)
    } else if (frame.t === 'traffic') {
      endBacklog()
      show(frame.producer, frame.records)
      const before = producerDropped.get(frame.producer) ?? frame.dropped
      if (frame.dropped > before) warn(`bus ${producers.get(frame.producer)?.name ?? frame.producer} dropped ${plural(frame.dropped - before, 'record')} before sending them (its queue was full)`)
      producerDropped.set(frame.producer, frame.dropped)
    } else if (frame.t === 'dropped') {
      warn(`The hub skipped ${plural(frame.count - hubDropped, 'record')} this terminal did not read in time`)
      hubDropped = frame.count
    } else if (frame.t === 'error') warn(`The hub says: ${frame.message} (${frame.code})`)
  }

  const interrupt = interrupted()
  const session = openHubSession(hub, { name: 'tidings tail', live: true }, onFrame)
  try {
    const first = await session.greeted
    const names = first.producers.map((p) => p.name)
    note(`Following ${hub.shown}: ${plural(names.length, 'bus', 'buses')} connected${names.length ? ` (${names.join(', ')})` : ''}. Ctrl+C stops.`)
    const failure = await Promise.race([interrupt.signal, session.ended])
    endBacklog()
    if (failure) throw failure
    session.close()
    await session.ended
    return ExitCode.OK
  } finally {
    clearTimeout(quiet)
    interrupt.dispose()
  }
}
