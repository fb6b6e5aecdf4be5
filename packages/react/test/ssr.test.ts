import { createElement as h } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { TidingsProvider, createTidingsHooks } from '@tidings/react'
import { listeners, shopBus } from './shop'
import type { ShopBus } from './shop'

const { useEvent, useEmit, useLastEvent, useHistory, useDeadLetters } = createTidingsHooks<ShopBus>()

function Page() {
  useEvent('order.placed', () => {
    throw new Error('never called on the server')
  })
  const emit = useEmit()
  const last = useLastEvent('order.*')
  const { events, loading } = useHistory({ type: 'order.placed' })
  const { entries } = useDeadLetters()
  return h('main', { 'data-emit': typeof emit },
    `last=${last?.id ?? 'none'} history=${loading ? 'loading' : events.length} dead=${entries.length}`)
}

describe('server rendering (react-dom/server)', () => {
  it('renders the initial state, subscribes to nothing, reads and emits nothing', () => {
    const bus = shopBus()
    const before = listeners(bus)
    const read = vi.spyOn(bus, 'history')
    const list = vi.spyOn(bus.dlq, 'list')
    const emitted = vi.fn()
    bus.use((envelope, next) => {
      emitted(envelope)
      next(envelope)
    })
    const html = renderToString(h(TidingsProvider, { bus }, h(Page)))
    expect(html).toBe('<main data-emit="function">last=none history=loading dead=0</main>')
    expect(listeners(bus)).toBe(before)
    expect(read).not.toHaveBeenCalled()
    expect(list).not.toHaveBeenCalled()
    expect(emitted).not.toHaveBeenCalled()
  })
})
