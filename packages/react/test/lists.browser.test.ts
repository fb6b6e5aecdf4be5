import { StrictMode, createElement as h } from 'react'
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBus, history } from '@tidings/core'
import { TidingsProvider, createTidingsHooks } from '@tidings/react'
import { listeners, shopBus } from './shop'
import type { ShopBus } from './shop'

const { useHistory, useDeadLetters, useEvent } = createTidingsHooks<ShopBus>()

afterEach(cleanup)

function Orders() {
  const { events, loading, error } = useHistory({ type: 'order.placed', limit: 2 })
  if (error) return h('p', null, `error: ${(error as Error).message}`)
  return h('p', null, loading ? 'loading' : events.map((e) => e.data.orderId).join(',') || 'none')
}

describe('useHistory()', () => {
  it('reads the history, then again after each matching event, newest first and limited', async () => {
    const bus = shopBus()
    bus.emit('order.placed', { orderId: 'a', total: 1 })
    render(h(StrictMode, null, h(TidingsProvider, { bus }, h(Orders))))
    await screen.findByText('a')
    act(() => {
      bus.emit('order.placed', { orderId: 'b', total: 1 })
      bus.emit('order.shipped', { orderId: 'b' })
      bus.emit('order.placed', { orderId: 'c', total: 1 })
    })
    await screen.findByText('c,b')
  })

  it('reads once per change of the query, not per render of an inline query', async () => {
    const bus = shopBus()
    const read = vi.spyOn(bus, 'history')
    const { rerender } = render(h(TidingsProvider, { bus }, h(Orders)))
    await screen.findByText('none')
    rerender(h(TidingsProvider, { bus }, h(Orders)))
    await screen.findByText('none')
    expect(read).toHaveBeenCalledTimes(1)
  })

  it('shows the error a read rejects with, and leaves no listener after unmount', async () => {
    const bus = createBus({}, history({ size: 0 }))
    const before = listeners(bus)
    const hooks = createTidingsHooks(bus)
    function Failing() {
      const { error } = hooks.useHistory()
      return h('p', null, error ? (error as Error).message : 'ok')
    }
    const { unmount } = render(h(Failing))
    await screen.findByText(/create the bus with a store/)
    unmount()
    expect(listeners(bus)).toBe(before)
  })
})

describe('useDeadLetters()', () => {
  function Queue({ fail }: { fail: () => boolean }) {
    useEvent('order.placed', function charge() {
      if (fail()) throw new Error('declined')
    })
    const { entries, retry, discard } = useDeadLetters()
    return h('ul', null, entries.map((entry) => h('li', { key: entry.id }, `${entry.subscription}: ${entry.error.message}`,
      h('button', { onClick: () => void retry(entry.id) }, 'retry'),
      h('button', { onClick: () => void discard(entry.id) }, 'discard'))))
  }

  it('lists a failed delivery as it is dead-lettered; a successful retry removes it', async () => {
    const bus = shopBus()
    let failing = true
    render(h(TidingsProvider, { bus }, h(Queue, { fail: () => failing })))
    act(() => void bus.emit('order.placed', { orderId: 'o', total: 1 }))
    await screen.findByText('charge: declined')
    failing = false
    await act(async () => screen.getByText('retry').click())
    await vi.waitFor(() => expect(screen.queryByText('charge: declined')).toBeNull())
    expect(await bus.dlq.size()).toBe(0)
  })

  it('keeps an entry whose retry fails again, and removes a discarded one', async () => {
    const bus = shopBus()
    render(h(TidingsProvider, { bus }, h(Queue, { fail: () => true })))
    act(() => void bus.emit('order.placed', { orderId: 'o', total: 1 }))
    await screen.findByText('charge: declined')
    await act(async () => screen.getByText('retry').click())
    expect((await bus.dlq.list())[0]?.attempts).toBe(2)
    expect(screen.getByText('charge: declined')).toBeTruthy()
    await act(async () => screen.getByText('discard').click())
    await vi.waitFor(() => expect(screen.queryByRole('listitem')).toBeNull())
  })

  it('stops listening to the queue on unmount', async () => {
    const bus = shopBus()
    const offs: Array<ReturnType<typeof vi.fn>> = []
    const subscribe = bus.dlq.subscribe.bind(bus.dlq)
    vi.spyOn(bus.dlq, 'subscribe').mockImplementation((listener) => {
      const off = vi.fn(subscribe(listener))
      offs.push(off)
      return off
    })
    const { unmount } = render(h(StrictMode, null, h(TidingsProvider, { bus }, h(Queue, { fail: () => false }))))
    unmount()
    expect(offs.length).toBeGreaterThan(0)
    for (const off of offs) expect(off).toHaveBeenCalledTimes(1)
  })
})
