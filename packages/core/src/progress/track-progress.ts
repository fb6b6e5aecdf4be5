import * as v from 'valibot'
import { defineEvent } from '../catalog'
import { asTidingsError, errorInfo } from '../error-info'
import { idPrefix } from '../envelope'
import type { Bus } from '../kernel/types'
import type { EventMap } from '../types'

export interface TrackProgressOptions {
  /** The operation's type prefix: events are `<type>.started`, `.progress`, `.completed`, `.failed`. */
  type: string
  /** Units of work in all, if known. */
  total?: number
  /** Shared by the four events (default: a new random id). */
  correlationid?: string
  /** At most one `.progress` event per this many ms (default 100); the last one is never dropped. */
  throttleMs?: number
  /** Extra payload fields of `.started`, e.g. a file name. */
  data?: Record<string, unknown>
}

export interface ProgressSnapshot {
  done: number
  total: number | undefined
  /** 0–100, when the total is known. */
  percent: number | undefined
  /** Units per second since the start. */
  rate: number
  /** Estimated ms left, when the total is known and work has started. */
  etaMs: number | undefined
  message?: string
}

export interface Progress {
  readonly correlationid: string
  /** Adds `n` (default 1) units of work done. A `.progress` event the bus refuses is logged, never thrown. */
  advance(n?: number): void
  /** Sets `done`, `total` or a `message`. */
  update(fields: { done?: number; total?: number; message?: string }): void
  /** Emits `.completed` (once); later calls do nothing. */
  done(result?: Record<string, unknown>): void
  /** Emits `.failed` (once) with the error. */
  fail(error: unknown): void
  snapshot(): ProgressSnapshot
}

/**
 * Payload schemas of the four progress events, for a typed bus's catalog:
 * `defineCatalog(...defineProgressEvents('import'), …)`.
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineProgressEvents<const T extends string>(type: T) {
  const counters = { done: v.number(), total: v.optional(v.number()) }
  return [
    defineEvent(`${type}.started`, { schema: v.looseObject({ total: v.optional(v.number()) }) }),
    defineEvent(`${type}.progress`, {
      schema: v.object({ ...counters, percent: v.optional(v.number()), rate: v.number(), etaMs: v.optional(v.number()), message: v.optional(v.string()) }),
      persist: false,
    }),
    defineEvent(`${type}.completed`, { schema: v.looseObject({ ...counters, durationMs: v.number() }) }),
    defineEvent(`${type}.failed`, { schema: v.object({ ...counters, durationMs: v.number(), error: v.object({ name: v.string(), message: v.string() }) }) }),
  ] as const
}

/** Reports a long operation as started / progress / completed / failed events sharing one correlation id. */
export function trackProgress<E extends EventMap>(target: Bus<E>, options: TrackProgressOptions): Progress {
  const bus = target as unknown as Bus
  const { type, throttleMs = 100 } = options
  const correlationid = options.correlationid ?? idPrefix().slice(0, -1)
  const started = Date.now()
  let done = 0
  let total = options.total
  let message: string | undefined
  let lastSent = 0
  let pending: ReturnType<typeof setTimeout> | undefined
  let finished = false

  const snapshot = (): ProgressSnapshot => {
    const elapsed = Math.max(1, Date.now() - started)
    const rate = (done * 1000) / elapsed
    const snap: ProgressSnapshot = {
      done, total,
      percent: total ? Math.min(100, (done / total) * 100) : undefined,
      rate,
      etaMs: total !== undefined && rate > 0 ? Math.max(0, ((total - done) / rate) * 1000) : undefined,
    }
    if (message !== undefined) snap.message = message
    return snap
  }
  const emit = (suffix: string, data: unknown) => bus.emit(`${type}.${suffix}`, data, { correlationid })
  /**
   * `.progress` events are best effort and often sent from a timer, where a refused emit has no
   * caller to throw to: a refusal is logged (after bus.close(), ignored) and the work goes on.
   */
  const send = () => {
    clearTimeout(pending)
    pending = undefined
    lastSent = Date.now()
    try {
      emit('progress', snapshot())
    } catch (error) {
      const failure = asTidingsError(error, 'E_INVALID_ARGUMENT', `trackProgress("${type}"): a "${type}.progress" event was refused`)
      if (failure.code !== 'E_CLOSED') console.error(failure)
    }
  }
  const changed = () => {
    if (finished) return
    // A tight loop must not flood the bus: at most one event per throttleMs, the latest state wins.
    const wait = lastSent + throttleMs - Date.now()
    if (wait <= 0) send()
    else pending ??= setTimeout(send, wait)
  }
  const finish = (suffix: 'completed' | 'failed', extra: Record<string, unknown>) => {
    if (finished) return
    finished = true
    clearTimeout(pending)
    emit(suffix, { done, ...(total === undefined ? {} : { total }), durationMs: Date.now() - started, ...extra })
  }

  emit('started', { ...options.data, ...(total === undefined ? {} : { total }) })
  return {
    correlationid,
    advance(n = 1) {
      done += n
      changed()
    },
    update(fields) {
      if (fields.done !== undefined) done = fields.done
      if (fields.total !== undefined) total = fields.total
      if (fields.message !== undefined) message = fields.message
      changed()
    },
    done(result = {}) {
      if (!finished && pending !== undefined) send()
      finish('completed', result)
    },
    fail(error) {
      const { name, message: text } = errorInfo(error)
      finish('failed', { error: { name, message: text } })
    },
    snapshot,
  }
}
