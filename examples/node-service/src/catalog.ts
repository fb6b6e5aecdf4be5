import * as v from 'valibot'
import { defineCatalog, defineEvent } from '@tidings/core'
import type { EventsOf } from '@tidings/core'

const sku = v.pipe(v.string(), v.regex(/^[A-Z]{3}-\d{3}$/, 'a SKU looks like "TEA-001"'))

export const OrderPlaced = defineEvent('order.placed', {
  description: 'POST /orders accepted an order.',
  schema: v.object({
    orderId: v.string(),
    customer: v.pipe(v.string(), v.email()),
    items: v.pipe(v.array(v.object({ sku, qty: v.pipe(v.number(), v.integer(), v.minValue(1)) })), v.minLength(1)),
    total: v.pipe(v.number(), v.minValue(0)),
  }),
})

export const OrderReserved = defineEvent('order.reserved', {
  description: 'Every line of the order is taken off the shelf; payment comes next.',
  schema: v.object({ orderId: v.string(), total: v.number() }),
})

export const PaymentCaptured = defineEvent('payment.captured', {
  description: 'The payment gateway charged an order.',
  schema: v.object({ orderId: v.string(), amount: v.number(), authorization: v.string() }),
})

export const OrderShipped = defineEvent('order.shipped', {
  description: 'A paid order left the warehouse: the last status the service pushes to the shop page.',
  schema: v.object({ orderId: v.string(), parcel: v.string() }),
})

// The inventory module's own EventEmitter events, as its TidingsEmitter forwards them.
const stockLevel = v.object({ sku, level: v.number() })
export const StockReserved = defineEvent('inventory.reserved', { schema: v.object({ sku, qty: v.number(), level: v.number() }) })
export const StockLow = defineEvent('inventory.low', { schema: stockLevel })
export const StockRestocked = defineEvent('inventory.restocked', { schema: stockLevel })

export const RequestServed = defineEvent('http.request', {
  description: 'One HTTP request and its response.',
  schema: v.object({ method: v.string(), path: v.string(), status: v.number(), ms: v.number() }),
  // Access-log noise: live in devtools, but not worth keeping in the event log.
  persist: false,
})

export const catalog = defineCatalog(OrderPlaced, OrderReserved, PaymentCaptured, OrderShipped, StockReserved, StockLow, StockRestocked, RequestServed)
export type ServiceEvents = EventsOf<typeof catalog>
