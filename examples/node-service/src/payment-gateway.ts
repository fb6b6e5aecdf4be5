import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'

/** A timeout talking to the gateway: transient, so the bus retries it. */
export class GatewayTimeoutError extends Error {
  override readonly name = 'GatewayTimeoutError'
}

/**
 * Stands in for a remote payment API: `latencyMs` to `latencyMs` + 210 ms per call, and a share of
 * calls time out, as a real downstream does under load. `failureRate` (0–1) sets that share.
 */
export function createPaymentGateway(failureRate: number, latencyMs: number) {
  return {
    async charge(orderId: string, amount: number): Promise<{ authorization: string }> {
      await delay(latencyMs + Math.random() * 210)
      if (Math.random() < failureRate) throw new GatewayTimeoutError(`payment gateway timed out charging ${amount.toFixed(2)} for ${orderId}`)
      return { authorization: `auth_${randomUUID().slice(0, 8)}` }
    },
  }
}

export type PaymentGateway = ReturnType<typeof createPaymentGateway>
