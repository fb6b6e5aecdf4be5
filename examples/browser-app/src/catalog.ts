import * as v from 'valibot'
import { defineCatalog, defineEvent } from '@tidings/core'
import type { EventsOf } from '@tidings/core'

const sku = v.string()
const orderId = v.string()

export const ItemAdded = defineEvent('cart.item.added', {
  description: 'The shopper put one or more of a product in the cart.',
  schema: v.object({ sku, qty: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
})

export const ItemRemoved = defineEvent('cart.item.removed', {
  description: 'The shopper took a product out of the cart.',
  schema: v.object({ sku }),
})

export const OrderPlaced = defineEvent('order.placed', {
  description: 'Checkout: the cart became an order and is emptied.',
  schema: v.object({
    orderId,
    lines: v.pipe(v.array(v.object({ sku, qty: v.number(), price: v.number() })), v.minLength(1)),
    total: v.number(),
  }),
})

export const PaymentCaptured = defineEvent('payment.captured', {
  description: 'The payment provider charged the order.',
  schema: v.object({ orderId, authorization: v.string() }),
})

export const catalog = defineCatalog(ItemAdded, ItemRemoved, OrderPlaced, PaymentCaptured)
export type ShopEvents = EventsOf<typeof catalog>
