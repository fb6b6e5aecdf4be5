import { causedBy } from '@tidings/core'
import type { ShopBus } from './bus'

const FAILURE_RATE_KEY = 'tidings-shop-failure-rate'

/**
 * Share of payment attempts that fail, 0–1: a slider in the page changes it. Kept in localStorage,
 * since the tab that charges (the elected one) may not be the tab whose slider moved.
 */
export const payments = {
  get failureRate(): number {
    return Number(localStorage.getItem(FAILURE_RATE_KEY) ?? 0.3)
  },
  set failureRate(rate: number) {
    localStorage.setItem(FAILURE_RATE_KEY, String(rate))
  },
}

class PaymentDeclinedError extends Error {
  override readonly name = 'PaymentDeclinedError'
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Stands in for a payment provider's API: slow, and failing `failureRate` of the time. */
async function charge(orderId: string, total: number): Promise<string> {
  await wait(150 + Math.random() * 350)
  if (Math.random() < payments.failureRate) throw new PaymentDeclinedError(`provider declined ${total.toFixed(2)} for ${orderId} (try again)`)
  return `auth_${crypto.randomUUID().slice(0, 8)}`
}

/**
 * Charges each placed order, in one of the shop's tabs (the subscription is named). A failed charge
 * is retried once, 400 ms later; if that fails too the order lands in the dead-letter queue, where
 * the "Retry" button re-delivers it to this same subscription (found by its name, even after a reload).
 */
export function collectPayments(bus: ShopBus): () => void {
  return bus.on('order.placed', async (order, envelope) => {
    const authorization = await charge(order.orderId, order.total)
    bus.emit('payment.captured', { orderId: order.orderId, amount: order.total, authorization }, causedBy(envelope))
  }, { name: 'charge-card', retry: { attempts: 1, backoff: { initialMs: 400 } } })
}
