import type { EnvelopeOf } from '@tidings/core'
import { useReducer } from 'preact/hooks'
import { isOwn } from './bus'
import type { ShopBus } from './bus'
import type { ShopEvents } from './catalog'
import { useEmit, useEvent } from './hooks'
import { SHOPPER, productBySku } from './products'

/** sku → quantity. */
export type CartLines = ReadonlyMap<string, number>

const CART_TYPES = ['cart.item.added', 'cart.item.removed', 'order.placed'] as const
type CartEvent = EnvelopeOf<ShopEvents, (typeof CART_TYPES)[number]>

/** The cart is nothing but a fold over its events: this is one step of it. Only this shopper's checkout empties it. */
export const applyCartEvent = (lines: CartLines, event: CartEvent): CartLines => {
  if (event.type === 'order.placed') return isOwn(event) ? new Map() : lines
  const next = new Map(lines)
  if (event.type === 'cart.item.added') next.set(event.data.sku, (lines.get(event.data.sku) ?? 0) + event.data.qty)
  else next.delete(event.data.sku)
  return next
}

/** The cart in progress, rebuilt from the stored log: its events since the last checkout. */
export async function restoreCart(bus: ShopBus): Promise<CartLines> {
  // The types filter makes every record one of the cart's events.
  const newestFirst = (await bus.history({ types: CART_TYPES, limit: 500 })) as CartEvent[]
  const lastCheckout = newestFirst.findIndex((event) => event.type === 'order.placed' && isOwn(event))
  const current = lastCheckout < 0 ? newestFirst : newestFirst.slice(0, lastCheckout)
  return current.reverse().reduce(applyCartEvent, new Map() as CartLines)
}

const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('')

/** A W3C trace context starting a new, sampled trace (what a tracing library would hand over). */
const newTraceparent = () => `00-${hex(16)}-${hex(8)}-01`

const cents = (amount: number) => Math.round(amount * 100) / 100

/** The cart from `restored` on, folded over each cart event while the view is mounted; its actions emit. */
export function useCart(restored: CartLines) {
  const [lines, apply] = useReducer(applyCartEvent, restored)
  const emit = useEmit()
  // Unnamed: a named subscription runs in one of the tabs (and on NATS, one of the instances),
  // and every tab's view must see every event.
  useEvent('cart.item.added', (_data, event) => apply(event))
  useEvent('cart.item.removed', (_data, event) => apply(event))
  useEvent('order.placed', function emptyCart(_data, event) {
    apply(event)
  })
  const total = cents([...lines].reduce((sum, [sku, qty]) => sum + (productBySku.get(sku)?.price ?? 0) * qty, 0))
  return {
    lines,
    total,
    add: (sku: string) => void emit('cart.item.added', { sku, qty: 1 }),
    remove: (sku: string) => void emit('cart.item.removed', { sku }),
    checkout() {
      const items = [...lines].map(([sku, qty]) => ({ sku, qty, price: productBySku.get(sku)?.price ?? 0 }))
      if (items.length === 0) return
      const orderId = `ord_${crypto.randomUUID().slice(0, 8)}`
      // The order id doubles as correlation id: the payment and any dead letter carry it too.
      // A new trace per checkout: the events it causes, in the node service too, carry it on.
      emit('order.placed', { orderId, customer: SHOPPER, items, total }, { correlationid: orderId, extensions: { traceparent: newTraceparent() } })
    },
  }
}

export type Cart = ReturnType<typeof useCart>
