import { randomUUID } from 'node:crypto'
import * as v from 'valibot'
import type { ServiceBus } from './bus'
import { OrderPlaced } from './catalog'
import { HttpError } from './http-server'
import type { Reply, Route } from './http-server'
import type { Inventory } from './inventory'
import { PRODUCTS } from './products'

/** A request is the event's payload minus what the service decides itself. */
const OrderRequest = v.omit(OrderPlaced.schema, ['orderId', 'total'])

const ok = (body: unknown, status = 200): Reply => ({ status, body })

const priceOf = (sku: string): number => {
  const product = PRODUCTS[sku]
  if (product === undefined) throw new HttpError(400, `unknown sku ${sku}; GET /products lists them`)
  return product.price
}

/** The service's HTTP API: orders in, their progress and the dead-letter queue out. */
export function apiRoutes(bus: ServiceBus, inventory: Inventory): Route[] {
  const placeOrder = async (body: unknown): Promise<Reply> => {
    const request = v.safeParse(OrderRequest, body)
    if (!request.success) {
      const issues = request.issues.map((issue) => ({ path: v.getDotPath(issue), message: issue.message }))
      throw new HttpError(400, 'invalid order', issues)
    }
    const { customer, items } = request.output
    const total = Math.round(items.reduce((sum, { sku, qty }) => sum + priceOf(sku) * qty, 0) * 100) / 100
    const orderId = `ord_${randomUUID().slice(0, 8)}`
    // The order id doubles as correlation id: every event the order causes carries it.
    bus.emit('order.placed', { orderId, customer, items, total }, { correlationid: orderId })
    // Accepted means durable: on disk, and with NATS stored by JetStream, so that a crash of
    // this instance right after the reply loses no order.
    await bus.flush()
    return ok({ orderId, total, href: `/orders/${orderId}` }, 202)
  }

  const orderStatus = async (orderId: string): Promise<Reply> => {
    const events = await bus.history({ correlationid: orderId, order: 'asc', limit: 20 })
    if (events.length === 0) throw new HttpError(404, `no order ${orderId}`)
    const deadLetters = await bus.dlq.list({ where: (entry) => entry.envelope.correlationid === orderId })
    const last = events[events.length - 1]!.type
    const status = last === 'order.shipped' ? 'shipped' : last === 'payment.captured' ? 'paid' : deadLetters.length ? 'stuck' : 'processing'
    return ok({
      orderId,
      status,
      events: events.map(({ type, time }) => ({ type, time })),
      deadLetters: deadLetters.map(({ id, subscription, error }) => ({ id, subscription, error: error.message })),
    })
  }

  return [
    { method: 'GET', path: /^\/health$/, handle: () => ok({ status: 'ok' }) },
    {
      method: 'GET',
      path: /^\/products$/,
      handle: () => ok(Object.entries(PRODUCTS).map(([sku, p]) => ({ sku, ...p, stock: inventory.level(sku) }))),
    },
    { method: 'POST', path: /^\/orders$/, handle: (_params, body) => placeOrder(body) },
    { method: 'GET', path: /^\/orders\/([\w-]+)$/, handle: ([id]) => orderStatus(id!) },
    {
      method: 'GET',
      path: /^\/dead-letters$/,
      handle: async () => ok((await bus.dlq.list({ limit: 100 })).map(({ id, envelope, subscription, attempts, lastFailedAt, error }) => ({
        id, type: envelope.type, correlationid: envelope.correlationid, subscription, attempts, lastFailedAt, error: error.message,
      }))),
    },
    { method: 'POST', path: /^\/dead-letters\/([^/]+)\/retry$/, handle: async ([id]) => ok(await bus.dlq.retry(decodeURIComponent(id!))) },
  ]
}
