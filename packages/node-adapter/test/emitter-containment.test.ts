import { createBus, deadLetters, memoryStore, metrics } from '@tidings/core'
import type { TidingsError } from '@tidings/core'
import { TidingsEmitter } from '@tidings/node'
import { describe, expect, it, vi } from 'vitest'

describe('TidingsEmitter under faults', () => {
  it('emits 5,000 distinct event names: past the metrics cap they share the (other) row', () => {
    const emitter = new TidingsEmitter({ bus: createBus({}, metrics()) })
    const listener = vi.fn()
    emitter.on('name-4999', listener)
    for (let i = 0; i < 5000; i++) expect(emitter.emit(`name-${i}`, i)).toBe(i === 4999)
    expect(listener).toHaveBeenCalledWith(4999)
    const m = emitter.bus.metrics()
    expect(m.totals.emitted).toBe(5000)
    expect(m.types['(other)']?.emitted).toBe(3000)
  })

  it('keeps running its own listeners when a bus handler throws any value', async () => {
    // deadLetters() without retry(): each failure is dead-lettered at its first try.
    const bus = createBus({}, deadLetters())
    const emitter = new TidingsEmitter({ bus })
    const values: unknown[] = [new Error('e'), 'text', 10n, Symbol('s'), null, new Proxy({}, new Proxy({}, { get: () => () => { throw new Error('trap') } }))]
    for (const value of values) bus.on('job', () => { throw value })
    bus.on('job', () => Promise.reject(10n))
    const listener = vi.fn()
    emitter.on('job', listener)
    expect(emitter.emit('job', { id: 1 })).toBe(true)
    expect(listener).toHaveBeenCalledOnce()
    await new Promise((resolve) => setTimeout(resolve, 5))
    const entries = await bus.dlq.list()
    expect(entries).toHaveLength(values.length + 1)
    for (const entry of entries) expect(typeof entry.error.message).toBe('string')
  })

  it('reports a failing bus handler through onError on its own kernel bus, and goes on', async () => {
    const emitter = new TidingsEmitter()
    const errors: TidingsError[] = []
    emitter.bus.onError((e) => void errors.push(e))
    emitter.bus.on('job', () => { throw new Error('handler broke') })
    emitter.bus.on('job', () => Promise.reject(new Error('async handler broke')))
    const listener = vi.fn()
    emitter.on('job', listener)
    expect(emitter.emit('job', { id: 1 })).toBe(true)
    expect(listener).toHaveBeenCalledOnce()
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['E_HANDLER', expect.stringContaining('handler broke')], ['E_HANDLER', expect.stringContaining('async handler broke')],
    ])
  })

  it("delivers an 'error' the bus refuses (a BigInt on a stored bus) to the emitter's own 'error' listeners", () => {
    const bus = createBus({ store: memoryStore() })
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    const emitter = new TidingsEmitter({ bus })
    const seen: unknown[] = []
    emitter.on('error', (e) => seen.push(e))
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      expect(emitter.emit('error', 10n)).toBe(true)
      expect(log).toHaveBeenCalledWith(expect.stringContaining('refused an "error" event'), expect.objectContaining({ code: 'E_VALIDATION' }))
    } finally {
      log.mockRestore()
    }
    expect(seen).toEqual([10n])
    // Other refusals still throw from emit(), before any listener runs, as documented.
    const other = vi.fn()
    emitter.on('data', other)
    expect(() => emitter.emit('data', NaN)).toThrowError(expect.objectContaining({ code: 'E_VALIDATION' }))
    expect(other).not.toHaveBeenCalled()
  })
})
