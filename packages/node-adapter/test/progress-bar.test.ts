import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createBus, trackProgress } from '@tidings/core'
import { formatProgress, renderProgress } from '@tidings/node'

const sink = (isTTY: boolean) => {
  const chunks: string[] = []
  const stream = Object.assign(new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done() } }), { isTTY, columns: 100 })
  return { stream, text: () => chunks.join('') }
}

describe('renderProgress()', () => {
  it('prints plain lines, at most one per 10 %, when piped', () => {
    const bus = createBus()
    const out = sink(false)
    renderProgress(bus, { type: 'import', stream: out.stream })
    const p = trackProgress(bus, { type: 'import', total: 100, throttleMs: 0 })
    for (let i = 0; i < 100; i++) p.advance()
    p.done()
    const lines = out.text().trim().split('\n')
    expect(lines[0]).toBe('import started (100)')
    expect(lines.at(-1)).toMatch(/100% 100\/100.* done$/)
    expect(lines.length).toBeLessThanOrEqual(13)
    expect(out.text()).not.toContain('\x1b[')
  })

  it('redraws one line in place on a TTY and reports failure', () => {
    const bus = createBus()
    const out = sink(true)
    renderProgress(bus, { type: 'sync', stream: out.stream })
    const p = trackProgress(bus, { type: 'sync', total: 10, throttleMs: 0 })
    p.advance(5)
    p.fail(new Error('network down'))
    expect(out.text()).toContain('\r\x1b[2K')
    expect(out.text()).toMatch(/sync \[█+░+\]  50% 5\/10/)
    expect(out.text()).toContain('sync failed: network down\n')
  })

  it('follows one operation only when given its correlation id', () => {
    const bus = createBus()
    const out = sink(false)
    const a = trackProgress(bus, { type: 'job', total: 2, throttleMs: 0 })
    renderProgress(bus, { type: 'job', stream: out.stream, correlationid: a.correlationid })
    trackProgress(bus, { type: 'job', total: 2 }).done()
    a.done()
    expect(out.text().trim().split('\n')).toHaveLength(1)
  })
})

describe('formatProgress()', () => {
  it('shows counts, rate and ETA, and works without a total', () => {
    expect(formatProgress('copy', { done: 30, total: 60, percent: 50, rate: 12.5, etaMs: 125_000 }, 10)).toBe('copy [█████░░░░░]  50% 30/60 12.5/s eta 2m05s')
    expect(formatProgress('copy', { done: 30, rate: 250 }, 10)).toBe('copy 30 250/s')
  })
})
