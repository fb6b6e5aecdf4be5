import { createBus, deadLetters, transport } from '@tidings/core'
import { messagePortBridge } from '@tidings/core/bridges'
import { productBySku } from './products'
import { totalsCatalog } from './totals-catalog'

/** Prices include VAT at this rate. */
const VAT_RATE = 0.2
const FREE_SHIPPING_FROM = 40

const cents = (amount: number) => Math.round(amount * 100) / 100

// The worker's own bus, joined to the page's by the worker's port (`self`).
const bus = createBus({ catalog: totalsCatalog, source: '/browser-app/totals-worker' }, transport(messagePortBridge(self)), deadLetters())

bus.on('totals.requested', ({ lines }) => {
  const total = cents(lines.reduce((sum, { sku, qty }) => sum + (productBySku.get(sku)?.price ?? 0) * qty, 0))
  // Emitted inside the handler: its causationid is the request's id, which is how the page matches the answer.
  bus.emit('totals.computed', {
    items: lines.reduce((sum, { qty }) => sum + qty, 0),
    total,
    vat: cents(total - total / (1 + VAT_RATE)),
    freeShippingIn: cents(Math.max(0, FREE_SHIPPING_FROM - total)),
  })
})
