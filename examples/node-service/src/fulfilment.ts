import { causedBy } from '@tidings/core'
import type { ServiceBus } from './bus'
import type { Inventory } from './inventory'
import type { PaymentGateway } from './payment-gateway'

/**
 * What happens after an order is placed, as two subscriptions so that each step is retried on its
 * own: retrying a payment must not reserve the stock a second time.
 * Returns the function that unsubscribes both.
 */
export function startFulfilment(bus: ServiceBus, inventory: Inventory, gateway: PaymentGateway): () => void {
  const stopReserving = bus.on('order.placed', (order) => {
    // Out of stock throws a non-retryable error: straight to the dead-letter queue, from where it
    // can be retried (devtools, POST /dead-letters/:id/retry) once the supplier has restocked.
    inventory.reserve(order.items)
    // Emitted inside the handler, so it records order.placed as its cause and shares its correlation id.
    bus.emit('order.reserved', { orderId: order.orderId, total: order.total })
  }, { name: 'reserve-stock' })

  const stopCharging = bus.on('order.reserved', async (order, envelope) => {
    const { authorization } = await gateway.charge(order.orderId, order.total)
    // After an await the bus no longer knows which event is being handled: name the cause.
    bus.emit('payment.captured', { orderId: order.orderId, amount: order.total, authorization }, causedBy(envelope))
  }, {
    name: 'charge-payment',
    // Gateway timeouts are transient: one more try 300 ms later, then the dead-letter queue.
    retry: { attempts: 1, backoff: { initialMs: 300 } },
  })

  return () => {
    stopReserving()
    stopCharging()
  }
}
