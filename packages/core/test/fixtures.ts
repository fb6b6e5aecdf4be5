import * as v from 'valibot'
import { defineCatalog, defineEvent } from '@tidings/core'

export const OrderPlaced = defineEvent('order.placed', {
  version: 2,
  schema: v.object({ orderId: v.string(), amount: v.number(), currency: v.string() }),
  upcast: { 1: (old) => ({ ...old, currency: 'EUR' }) },
  description: 'A customer placed an order',
})
export const OrderShipped = defineEvent('order.shipped', { schema: v.object({ orderId: v.string() }) })
export const ItemAdded = defineEvent('order.item.added', { schema: v.object({ orderId: v.string(), sku: v.string() }) })
export const UserSignedUp = defineEvent('user.signed-up', { schema: v.object({ email: v.pipe(v.string(), v.email()) }) })
export const Heartbeat = defineEvent('app.heartbeat', { schema: v.undefined(), persist: false })

export const catalog = defineCatalog(OrderPlaced, OrderShipped, ItemAdded, UserSignedUp, Heartbeat)

export const order = (orderId = 'o-1') => ({ orderId, amount: 42, currency: 'EUR' })

/** Lets pending microtasks and timers of `ms` run. */
export const sleep = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms))

/** Retries as fast as possible, so failure paths finish in a few ms. */
export const fastRetry = { attempts: 2, backoff: { initialMs: 1, factor: 1, jitter: 0 } }
