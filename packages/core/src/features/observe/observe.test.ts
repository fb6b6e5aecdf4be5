import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import type { Observation } from '../../types'
import { deadLetters } from '../dead-letters/dead-letters'
import { retry } from '../retry/retry'
import { observe } from './observe'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('observe()', () => {
  it('reports every emit and delivery outcome, retries and dead letters included', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const bus = createBus({}, observe(), retry({ attempts: 1, backoff: { initialMs: 1 } }), deadLetters())
    const seen: Observation[] = []
    bus.observe((o) => seen.push(o))
    bus.on('x', () => {}, { name: 'ok' })
    bus.on('x', () => {
      throw new Error('no')
    }, { name: 'bad' })
    const env = bus.emit('x')
    await new Promise((r) => setTimeout(r, 20))
    expect(seen.map((o) => ('subscription' in o ? `${o.kind}:${o.subscription}:${o.attempt}` : o.kind))).toEqual([
      'emitted', 'delivered:ok:1', 'failed:bad:1', 'failed:bad:2', 'dead-lettered:bad:2',
    ])
    expect(seen[0]!.envelope).toBe(env)
    expect(seen[2]).toMatchObject({ willRetry: true, error: { message: 'no' } })
    expect(seen[3]).toMatchObject({ willRetry: false })
  })

  it('costs nothing once the last observer leaves: deliveries are no longer timed', () => {
    const bus = createBus({}, observe())
    bus.on('x', () => {})
    const stop = bus.observe(() => {})
    const timer = vi.spyOn(performance, 'now')
    bus.emit('x')
    expect(timer).toHaveBeenCalled()
    stop()
    timer.mockClear()
    bus.emit('x')
    expect(timer).not.toHaveBeenCalled()
  })

  it('reports a throwing observer without breaking emit or the other observers', () => {
    const bus = createBus({}, observe())
    const errors = vi.fn()
    bus.onError(errors)
    const other = vi.fn()
    bus.observe(() => {
      throw new Error('observer bug')
    })
    bus.observe(other)
    expect(() => bus.emit('x')).not.toThrow()
    expect(other).toHaveBeenCalled()
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringContaining('observer bug') }))
  })
})
