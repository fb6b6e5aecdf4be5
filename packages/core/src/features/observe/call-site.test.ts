import { describe, expect, it } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import type { Observation } from '../../types'
import { CALL_SITES_PER_SECOND } from './call-site'
import { observe } from './observe'

const emittedSites = (seen: Observation[]) => seen.flatMap((o) => (o.kind === 'emitted' ? [o.site] : []))

describe('observe() call sites', () => {
  it('gives where the app emitted each event, past the bus and its middleware, to an observer that asks', () => {
    const bus = createBus({}, observe())
    bus.use((envelope, next) => next(envelope))
    const seen: Observation[] = []
    bus.observe((o) => seen.push(o), { callSites: true })
    function placeOrder() {
      bus.emit('order.placed', { id: 1 })
    }
    placeOrder()
    const [site] = emittedSites(seen)
    expect(site).toMatch(/^placeOrder \(.*call-site\.test\.ts:\d+:\d+\)$/)
  })

  it('captures no stack while no observer asks, and stops when the one that asked leaves', () => {
    const bus = createBus({}, observe())
    const seen: Observation[] = []
    bus.observe((o) => seen.push(o))
    const stop = bus.observe(() => {}, { callSites: true })
    bus.emit('a')
    stop()
    bus.emit('b')
    const sites = emittedSites(seen)
    expect(sites[0]).toContain('call-site.test.ts')
    expect(sites[1]).toBeUndefined()
    expect('site' in seen[1]!).toBe(false)
  })

  it('captures at most CALL_SITES_PER_SECOND a second, so a burst of emits is not slowed down', () => {
    const bus = createBus({}, observe())
    const seen: Observation[] = []
    bus.observe((o) => seen.push(o), { callSites: true })
    const second = Math.floor(Date.now() / 1000)
    for (let i = 0; i < CALL_SITES_PER_SECOND + 500; i++) bus.emit('tick', i)
    // The burst may straddle a second: then its later part gets a fresh allowance.
    if (Math.floor(Date.now() / 1000) !== second) return
    const sites = emittedSites(seen)
    expect(sites.filter(Boolean).length).toBeLessThanOrEqual(CALL_SITES_PER_SECOND)
    expect(sites.at(-1)).toBeUndefined()
  })
})
