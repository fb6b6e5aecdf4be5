import * as v from 'valibot'
import { defineCatalog, defineEvent } from '@tidings/core'
import type { EventsOf } from '@tidings/core'

const sku = v.pipe(v.string(), v.regex(/^[A-Z]{3}-\d{3}$/, 'a SKU looks like "TEA-001"'))
const orderId = v.string()

export const ItemAdded = defineEvent('cart.item.added', {
  description: 'The shopper put one or more of a product in the cart.',
  schema: v.object({ sku, qty: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
})

export const ItemRemoved = defineEvent('cart.item.removed', {
  description: 'The shopper took a product out of the cart.',
  schema: v.object({ sku }),
})

// The two events below are shared with the node service when the shop runs on NATS: their
// payloads are what examples/node-service/src/catalog.ts defines for the same types (the service
// ignores the prices it is sent: it computes totals itself).
export const OrderPlaced = defineEvent('order.placed', {
  description: 'Checkout: the cart became an order and is emptied.',
  schema: v.object({
    orderId,
    customer: v.pipe(v.string(), v.email()),
    items: v.pipe(v.array(v.object({ sku, qty: v.pipe(v.number(), v.integer(), v.minValue(1)), price: v.number() })), v.minLength(1)),
    total: v.pipe(v.number(), v.minValue(0)),
  }),
})

export const PaymentCaptured = defineEvent('payment.captured', {
  description: 'The payment provider charged the order.',
  schema: v.object({ orderId, amount: v.number(), authorization: v.string() }),
})

export const catalog = defineCatalog(ItemAdded, ItemRemoved, OrderPlaced, PaymentCaptured)
export type ShopEvents = EventsOf<typeof catalog>

/** What travels through NATS when the shop has a nats-server: the orders and their payments. The cart stays in the page. */
export const SHARED_TYPES = ['order.placed', 'payment.captured'] as const

/** The node service's last status for an order, pushed to the page over SSE (`src/push.ts`). */
export const OrderShipped = defineEvent('order.shipped', {
  description: 'The node service shipped a paid order.',
  schema: v.object({ orderId, parcel: v.string() }),
})

/** What the page and the node service's event stream exchange: payments up, shipments down. */
export const pushCatalog = defineCatalog(PaymentCaptured, OrderShipped)
