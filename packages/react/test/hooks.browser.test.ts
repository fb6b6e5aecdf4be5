import { StrictMode, createElement as h, useState } from 'react'
import type { ReactNode } from 'react'
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBus } from '@tidings/core'
import { TidingsProvider, createTidingsHooks } from '@tidings/react'
import { listeners, shopBus } from './shop'
import type { ShopBus } from './shop'

const { useEvent, useEmit, useLastEvent } = createTidingsHooks<ShopBus>()

afterEach(cleanup)

const withBus = (bus: ShopBus, node: ReactNode, strict = false) => {
  const tree = h(TidingsProvider, { bus }, node)
  return render(strict ? h(StrictMode, null, tree) : tree)
}

function OrderCounter({ onOrder }: { onOrder: (orderId: string) => void }) {
  useEvent('order.placed', (order) => onOrder(order.orderId))
  return null
}

describe('useEvent()', () => {
  it('subscribes once under StrictMode: one listener after the double mount, each event handled once', () => {
    const bus = shopBus()
    const before = listeners(bus)
    const seen: string[] = []
    withBus(bus, h(OrderCounter, { onOrder: (id) => seen.push(id) }), true)
    expect(listeners(bus)).toBe(before + 1)
    act(() => void bus.emit('order.placed', { orderId: 'o1', total: 1 }))
    expect(seen).toEqual(['o1'])
  })

  it('leaves no listener after unmount', () => {
    const bus = shopBus()
    const before = listeners(bus)
    const { unmount } = withBus(bus, h(OrderCounter, { onOrder: () => {} }), true)
    unmount()
    expect(listeners(bus)).toBe(before)
    expect(() => bus.emit('order.placed', { orderId: 'o1', total: 1 })).not.toThrow()
  })

  it('calls the latest handler without subscribing again', () => {
    const bus = shopBus()
    const on = vi.spyOn(bus, 'on')
    const first = vi.fn()
    const second = vi.fn()
    const { rerender } = withBus(bus, h(OrderCounter, { onOrder: first }))
    rerender(h(TidingsProvider, { bus }, h(OrderCounter, { onOrder: second })))
    act(() => void bus.emit('order.placed', { orderId: 'o2', total: 2 }))
    expect(on).toHaveBeenCalledTimes(1)
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledWith('o2')
  })

  it('subscribes again when the type changes, and only then', () => {
    const bus = shopBus()
    const seen: string[] = []
    function Listener({ type }: { type: 'order.placed' | 'order.shipped' }) {
      useEvent(type, (order) => seen.push(`${type}:${order.orderId}`))
      return null
    }
    const { rerender } = withBus(bus, h(Listener, { type: 'order.placed' }))
    rerender(h(TidingsProvider, { bus }, h(Listener, { type: 'order.shipped' })))
    expect(bus.all.get('order.placed')).toEqual([])
    act(() => {
      bus.emit('order.placed', { orderId: 'a', total: 1 })
      bus.emit('order.shipped', { orderId: 'b' })
    })
    expect(seen).toEqual(['order.shipped:b'])
  })

  it('names an unnamed subscription after the handler function, as bus.on does', async () => {
    const bus = shopBus()
    function Failing() {
      useEvent('order.placed', function chargeCard() {
        throw new Error('declined')
      })
      return null
    }
    withBus(bus, h(Failing))
    act(() => void bus.emit('order.placed', { orderId: 'o3', total: 3 }))
    await vi.waitFor(async () => expect((await bus.dlq.list())[0]?.subscription).toBe('chargeCard'))
  })

  it('delivers pattern events with their type', () => {
    const bus = shopBus()
    const seen: string[] = []
    function All() {
      useEvent('order.*', (type, data) => seen.push(`${type}:${data.orderId}`))
      return null
    }
    withBus(bus, h(All))
    act(() => {
      bus.emit('order.placed', { orderId: 'a', total: 1 })
      bus.emit('order.shipped', { orderId: 'a' })
    })
    expect(seen).toEqual(['order.placed:a', 'order.shipped:a'])
  })
})

describe('useEmit() and useLastEvent()', () => {
  it('emits from a click and shows the last event, re-rendering only on its type', async () => {
    const bus = shopBus()
    let renders = 0
    function Shop() {
      const emit = useEmit()
      const last = useLastEvent('order.placed')
      renders++
      return h('button', { onClick: () => emit('order.placed', { orderId: `o${renders}`, total: 5 }) }, last ? `last ${last.data.orderId}` : 'none')
    }
    withBus(bus, h(Shop))
    expect(screen.getByRole('button').textContent).toBe('none')
    act(() => screen.getByRole('button').click())
    expect(screen.getByRole('button').textContent).toBe('last o1')
    const rendered = renders
    act(() => void bus.emit('order.shipped', { orderId: 'x' }))
    expect(renders).toBe(rendered)
  })

  it('keeps emit the same function across renders', () => {
    const bus = shopBus()
    const emits = new Set<unknown>()
    let bump!: () => void
    function Keeper() {
      const [, set] = useState(0)
      bump = () => set((n) => n + 1)
      emits.add(useEmit())
      return null
    }
    withBus(bus, h(Keeper))
    act(() => bump())
    expect(emits.size).toBe(1)
  })

  it('throws a TidingsError that says what to do when no bus is provided', () => {
    function Orphan() {
      useEmit()
      return null
    }
    vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(() => render(h(Orphan))).toThrow(/TidingsProvider bus=\{bus\}/)
  })

  it('uses the bus given to createTidingsHooks(bus) without a provider', () => {
    const bus = createBus()
    const bound = createTidingsHooks(bus)
    function Last() {
      const last = bound.useLastEvent('ping')
      return h('p', null, last ? String(last.data) : 'none')
    }
    render(h(Last))
    act(() => void bus.emit('ping', 7))
    expect(screen.getByText('7')).toBeTruthy()
  })
})
