import type { Writable } from 'node:stream'
import type { Bus, Envelope, EventMap } from '@tidings/core'

export interface ProgressBarOptions {
  /** The operation type given to `trackProgress` (e.g. 'import'). */
  type: string
  /** Where to draw (default process.stderr, so stdout stays clean for data). */
  stream?: Writable & { isTTY?: boolean; columns?: number }
  /** Only this operation (default: every operation of the type). */
  correlationid?: string
  /** Plain lines instead of a redrawn bar (default: when the stream is not a TTY). */
  plain?: boolean
  /** Label before the bar (default: the type). */
  label?: string
}

interface Snapshot {
  done?: number
  total?: number
  percent?: number
  rate?: number
  etaMs?: number
  message?: string
}

const formatMs = (ms: number): string => {
  const s = Math.round(ms / 1000)
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`
}

/** One line of text for a progress state; `width` is the bar's width in cells. */
export const formatProgress = (label: string, p: Snapshot, width: number): string => {
  const counts = p.total === undefined ? `${p.done ?? 0}` : `${p.done ?? 0}/${p.total}`
  const rate = p.rate === undefined ? '' : ` ${p.rate >= 100 ? Math.round(p.rate) : p.rate.toFixed(1)}/s`
  const eta = p.etaMs === undefined ? '' : ` eta ${formatMs(p.etaMs)}`
  const message = p.message ? ` ${p.message}` : ''
  if (p.percent === undefined) return `${label} ${counts}${rate}${message}`
  const filled = Math.round((p.percent / 100) * width)
  return `${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${p.percent.toFixed(0).padStart(3)}% ${counts}${rate}${eta}${message}`
}

/**
 * Draws the progress events of `trackProgress` in a terminal: a bar redrawn in place on a TTY,
 * plain lines (at most one per 10 %) when piped. Returns the function that stops drawing.
 */
export function renderProgress<E extends EventMap>(target: Bus<E>, options: ProgressBarOptions): () => void {
  const bus = target as unknown as Bus
  const stream = options.stream ?? process.stderr
  const plain = options.plain ?? !stream.isTTY
  const label = options.label ?? options.type
  let lastDecile = -1
  const width = () => Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 50))
  const draw = (line: string, final: boolean) => {
    if (plain) stream.write(`${line}\n`)
    else stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`)
  }
  const mine = (e: Envelope) => options.correlationid === undefined || e.correlationid === options.correlationid
  const off = bus.on(`${options.type}.*`, ((kind: string, data: unknown, envelope: Envelope) => {
    if (!mine(envelope)) return
    const p = (data ?? {}) as Snapshot
    const suffix = kind.slice(options.type.length + 1)
    if (suffix === 'started') {
      lastDecile = -1
      draw(`${label} started${p.total === undefined ? '' : ` (${p.total})`}`, plain)
    } else if (suffix === 'progress') {
      const decile = Math.floor((p.percent ?? 0) / 10)
      if (plain && p.percent !== undefined && decile === lastDecile) return
      lastDecile = decile
      draw(formatProgress(label, p, width()), false)
    } else if (suffix === 'completed') {
      draw(`${formatProgress(label, { ...p, percent: p.total === undefined ? undefined : 100, etaMs: undefined }, width())} done`, true)
    } else if (suffix === 'failed') {
      const error = (data as { error?: { message?: string } }).error
      draw(`${label} failed: ${error?.message ?? 'unknown error'}`, true)
    }
  }) as never)
  return off
}
