import { h, render } from 'preact'
import type { FunctionComponent } from 'preact'
import { act } from 'preact/test-utils'
import { StrictMode } from 'preact/compat'
import { afterEach, describe, expect, it } from 'vitest'
import { TidingsProvider, createTidingsHooks } from '@tidings/react'
import { listeners, shopBus } from '../shop'
import type { ShopBus } from '../shop'

const { useEvent, useEmit, useLastEvent, useHistory } = createTidingsHooks<ShopBus>()

// The package is typed with React's types; a Preact app maps them to preact/compat's (tsconfig paths, as Preact's docs say).
const Provider = TidingsProvider as unknown as FunctionComponent<{ bus: ShopBus }>

const root = document.body.appendChild(document.createElement('div'))
afterEach(() => render(null, root))

function Shop({ onShipped }: { onShipped: (orderId: string) => void }) {
  const emit = useEmit()
  const last = useLastEvent('order.placed')
  const { events } = useHistory({ type: 'order.placed' })
  useEvent('order.shipped', (data) => onShipped(data.orderId))
  return h('button', { onClick: () => emit('order.placed', { orderId: `o${events.length + 1}`, total: 1 }) },
    `${last?.data.orderId ?? 'none'} / ${events.length} orders`)
}

describe('@tidings/react through preact/compat', () => {
  it('subscribes, re-renders on events, reads history and cleans up on unmount', async () => {
    const bus = shopBus()
    const before = listeners(bus)
    const shipped: string[] = []
    await act(() => render(h(StrictMode, null, h(Provider, { bus }, h(Shop, { onShipped: (id) => shipped.push(id) }))), root))
    const button = root.querySelector('button')!
    await act(() => button.click())
    await expect.poll(() => button.textContent).toBe('o1 / 1 orders')
    await act(() => void bus.emit('order.shipped', { orderId: 'o1' }))
    expect(shipped).toEqual(['o1'])
    await act(() => render(null, root))
    expect(listeners(bus)).toBe(before)
  })
})
