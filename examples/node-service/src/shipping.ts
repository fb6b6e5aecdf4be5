import { randomBytes } from 'node:crypto'
import { causedBy } from '@tidings/core'
import type { ServiceBus } from './bus'

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Ships each paid order after `packingMs`, whoever took the payment: this service's gateway, or a
 * shop page that charged its own order and sent the payment up its event stream (`push.ts`).
 * Named, so that on NATS one instance ships each order.
 */
export function shipPaidOrders(bus: ServiceBus, packingMs: number): () => void {
  return bus.on('payment.captured', async ({ orderId }, envelope) => {
    await wait(packingMs)
    bus.emit('order.shipped', { orderId, parcel: `PCL-${randomBytes(4).toString('hex').toUpperCase()}` }, causedBy(envelope))
  }, { name: 'ship-order' })
}
