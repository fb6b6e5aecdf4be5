import type { CloudEventJSON } from '@tidings/core'

export type OperationState = 'running' | 'completed' | 'failed'

/** A long operation reported with `trackProgress`, as far as its events tell. */
export interface Operation {
  /** Producer, correlation id and type prefix: what tells two operations apart. */
  key: string
  /** The bus that runs it; until that one reports it, the first bus that received its events through a transport. */
  producer: string
  /** Set while only buses that received its events through a transport reported them: the first of them. */
  via?: string
  /** The envelopes' `source`: with the correlation id and type, what matches a received event to its emitter's operation. */
  source: string
  correlationid: string
  /** The prefix given to `trackProgress`, e.g. `import`. */
  type: string
  state: OperationState
  /** On the producer's clock; estimated from the rate when the `.started` event was missed. */
  startedAt: number
  /** When the latest event taken into account was emitted, on the producer's clock. */
  updatedAt: number
  /** When that event reached the page, on the page's clock: elapsed time and ETA count on from here. */
  seenAt: number
  done: number
  total?: number
  /** 0–100, when the total is known. */
  percent?: number
  /** Units per second, as of the latest progress event. */
  rate?: number
  /** Estimated ms left as of the latest progress event. */
  etaMs?: number
  message?: string
  /** The extra fields of `.started` (a file name, …). */
  details: Record<string, unknown>
  /** The extra fields of `.completed`. */
  result: Record<string, unknown>
  /** As the producer measured it, once finished. */
  durationMs?: number
  error?: { name: string; message: string }
  /** The operation's latest event, to select it in the stream. */
  lastEventId: string
}

const PHASES = new Set(['started', 'progress', 'completed', 'failed'])
/** Fields trackProgress itself puts in the payloads; whatever else is there came from the caller. */
const OWN_FIELDS = new Set(['done', 'total', 'percent', 'rate', 'etaMs', 'message', 'durationMs', 'error'])

type Payload = Record<string, unknown>

const payloadOf = (data: unknown): Payload =>
  typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Payload) : {}
const num = (p: Payload, key: string): number | undefined => (typeof p[key] === 'number' ? p[key] : undefined)
const extraFields = (p: Payload): Payload => Object.fromEntries(Object.entries(p).filter(([k]) => !OWN_FIELDS.has(k)))
const percentOf = (done: number, total: number | undefined) => (total ? Math.min(100, (done / total) * 100) : undefined)

function errorOf(p: Payload): Operation['error'] {
  const e = payloadOf(p.error)
  return { name: typeof e.name === 'string' ? e.name : 'Error', message: typeof e.message === 'string' ? e.message : '' }
}

const newOperation = (key: string, producer: string, source: string, correlationid: string, type: string, startedAt: number): Operation => ({
  key, producer, source, correlationid, type, state: 'running', startedAt, updatedAt: startedAt, seenAt: 0, done: 0,
  details: {}, result: {}, lastEventId: '',
})

/** Where an operation known only from received events is kept; producer keys never start with U+0000. */
const standInKey = (correlationid: string, type: string, source: string) => `\u0000${correlationid}\u0000${type}\u0000${source}`

/** Whether `a` goes before `b` when one must go: finished before running, then the least recently updated. */
const evictsBefore = (a: Operation, b: Operation): boolean =>
  a.state === 'running' && b.state !== 'running' ? false
    : a.state !== 'running' && b.state === 'running' ? true
    : a.updatedAt < b.updatedAt

/**
 * The operations seen in the traffic: events `<type>.started|progress|completed|failed` sharing a
 * correlation id. Only `.started` or `.progress` opens one (a lone `order.completed` is a domain
 * event, not an operation). At most `capacity` are kept; the least recently finished go first.
 * Replayed events (a hub's backlog after a reconnect) never move an operation backwards.
 *
 * Buses sharing a transport also report the events they received (`remote`): those only stand in
 * for an emitter that does not report its own, and its first own report takes the operation over.
 */
export class Operations {
  private byKey = new Map<string, Operation>()
  /** Bumped by every change, so views can tell whether to redraw. */
  version = 0

  constructor(readonly capacity = 200) {}

  get size(): number {
    return this.byKey.size
  }

  /**
   * Takes one emitted event into account; `seenAt` is the page's clock, `remote` says the producer
   * received the event through a transport. Returns whether an operation changed.
   */
  apply(producer: string, at: number, envelope: CloudEventJSON, seenAt: number, remote = false): boolean {
    const { correlationid, source } = envelope
    if (correlationid === undefined) return false
    const dot = envelope.type.lastIndexOf('.')
    const phase = envelope.type.slice(dot + 1)
    if (dot <= 0 || !PHASES.has(phase)) return false
    const type = envelope.type.slice(0, dot)
    let key: string
    if (remote) {
      if (this.reportedByEmitter(correlationid, type, source)) return false
      key = standInKey(correlationid, type, source)
    } else {
      key = `${producer}\u0000${correlationid}\u0000${type}`
      this.adopt(key, producer, correlationid, type, source)
    }
    const p = payloadOf(envelope.data)
    let op = this.byKey.get(key)
    const finished = op !== undefined && op.state !== 'running'

    if (phase === 'started') {
      // The same correlation id and type started again after finishing is a new run.
      if (!op || (finished && at > op.updatedAt)) op = this.insert(this.create(key, producer, source, correlationid, type, at, remote))
      if (op.state === 'running') op.startedAt = at
      op.details = extraFields(p)
      op.total ??= num(p, 'total')
      op.percent ??= percentOf(op.done, op.total)
    } else if (phase === 'progress') {
      if (!op) {
        // trackProgress's rate is done ÷ time since the start, which gives the missed start back.
        const done = num(p, 'done') ?? 0
        const rate = num(p, 'rate')
        op = this.insert(this.create(key, producer, source, correlationid, type, rate ? at - (done / rate) * 1000 : at, remote))
      }
      if (op.state !== 'running' || at < op.updatedAt) return false
      op.done = num(p, 'done') ?? op.done
      op.total = num(p, 'total') ?? op.total
      op.percent = num(p, 'percent') ?? percentOf(op.done, op.total)
      op.rate = num(p, 'rate')
      op.etaMs = num(p, 'etaMs')
      if (typeof p.message === 'string') op.message = p.message
    } else {
      if (!op || finished) return false
      op.state = phase === 'completed' ? 'completed' : 'failed'
      op.done = num(p, 'done') ?? op.done
      op.total = num(p, 'total') ?? op.total
      op.percent = percentOf(op.done, op.total)
      op.durationMs = num(p, 'durationMs')
      if (op.durationMs !== undefined) op.startedAt = at - op.durationMs
      delete op.etaMs
      if (phase === 'completed') op.result = extraFields(p)
      else op.error = errorOf(p)
    }
    if (at >= op.updatedAt || !op.lastEventId) {
      op.updatedAt = at
      op.seenAt = seenAt
      op.lastEventId = envelope.id
    }
    this.version++
    return true
  }

  countRunning(): number {
    let n = 0
    for (const op of this.byKey.values()) if (op.state === 'running') n++
    return n
  }

  /** Running operations (latest started first), then finished ones (latest finished first). */
  list(): { running: Operation[]; finished: Operation[] } {
    const running: Operation[] = []
    const finished: Operation[] = []
    for (const op of this.byKey.values()) (op.state === 'running' ? running : finished).push(op)
    running.sort((a, b) => b.startedAt - a.startedAt)
    finished.sort((a, b) => b.updatedAt - a.updatedAt)
    return { running, finished }
  }

  clear(): void {
    this.byKey.clear()
    this.version++
  }

  private create(key: string, producer: string, source: string, correlationid: string, type: string, startedAt: number, remote: boolean): Operation {
    const op = newOperation(key, producer, source, correlationid, type, startedAt)
    if (remote) op.via = producer
    return op
  }

  /** Whether the bus that runs this operation reports it: then what other buses received adds nothing. */
  private reportedByEmitter(correlationid: string, type: string, source: string): boolean {
    for (const op of this.byKey.values()) {
      if (op.via === undefined && op.correlationid === correlationid && op.type === type && op.source === source) return true
    }
    return false
  }

  /** The emitter's report of an operation known so far from received events only: it becomes the emitter's. */
  private adopt(key: string, producer: string, correlationid: string, type: string, source: string): void {
    const standIn = this.byKey.get(standInKey(correlationid, type, source))
    if (standIn === undefined) return
    this.byKey.delete(standIn.key)
    const own = this.byKey.get(key)
    if (own !== undefined && own.updatedAt >= standIn.updatedAt) return
    standIn.key = key
    standIn.producer = producer
    standIn.via = undefined
    this.byKey.set(key, standIn)
  }

  private insert(op: Operation): Operation {
    if (!this.byKey.has(op.key) && this.byKey.size >= this.capacity) {
      let oldest: Operation | undefined
      for (const candidate of this.byKey.values()) if (!oldest || evictsBefore(candidate, oldest)) oldest = candidate
      this.byKey.delete(oldest!.key)
    }
    this.byKey.set(op.key, op)
    return op
  }
}

/** Time since the start: the producer's own figure once finished, counting on while running. */
export const elapsedMs = (op: Operation, now: number): number =>
  op.state === 'running' ? Math.max(0, op.updatedAt - op.startedAt + now - op.seenAt) : op.durationMs ?? op.updatedAt - op.startedAt

/** The latest estimate of the time left, counted down since it arrived. */
export const remainingMs = (op: Operation, now: number): number | undefined =>
  op.state !== 'running' || op.etaMs === undefined ? undefined : Math.max(0, op.etaMs - (now - op.seenAt))
