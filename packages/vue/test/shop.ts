import * as v from 'valibot'
import { createBus, deadLetters, defineCatalog, defineEvent, history } from '@tidings/core'
import type { Bus } from '@tidings/core'

export const catalog = defineCatalog(
  defineEvent('order.placed', { schema: v.object({ orderId: v.string(), total: v.number() }) }),
  defineEvent('order.shipped', { schema: v.object({ orderId: v.string() }) }),
  defineEvent('cart.cleared', { schema: v.undefined() }),
)

/** A typed bus with history and dead letters, as the hooks' tests use it. */
export const shopBus = () => createBus({ catalog, source: '/test' }, history({ size: 50 }), deadLetters())
export type ShopBus = ReturnType<typeof shopBus>

/** Handlers in the bus's map, every key counted: what a leak would grow. */
export const listeners = (bus: Bus): number => [...bus.all.values()].reduce((n, handlers) => n + handlers.length, 0)
