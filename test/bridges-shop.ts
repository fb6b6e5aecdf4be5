// What the pages and workers of the bridges tests run: a small shop bus, as an app would build it.
import * as v from 'valibot'
import { createBus, deadLetters, defineCatalog, defineEvent, retry, transport } from '@tidings/core'
import type { Transport } from '@tidings/core'
import { broadcastChannelBridge, eventSourceBridge, messagePortBridge } from '@tidings/core/bridges'
import type { PortLike } from '@tidings/core/bridges'
import { indexedDBStore } from '@tidings/core/indexeddb'

export const catalog = defineCatalog(
  defineEvent('order.placed', { schema: v.object({ orderId: v.string() }) }),
  defineEvent('order.handled', { schema: v.object({ orderId: v.string(), by: v.string() }) }),
  defineEvent('order.totaled', { schema: v.object({ orderId: v.string(), total: v.number() }) }),
  defineEvent('order.shipped', { schema: v.object({ orderId: v.string() }) }),
  defineEvent('cart.changed', { schema: v.object({ items: v.number() }) }),
)

export interface Seen {
  type: string
  id: string
  data: unknown
  source: string
  correlationid: string | undefined
  causationid: string | undefined
  time: string
}

/**
 * A shop bus over `bridge`, recording what it sees and what it reports. `validate: false` passes
 * payloads on as given (a validated bus hands on the schema's output, a plain object).
 */
export const shop = (source: string, bridge: Transport, store?: ReturnType<typeof indexedDBStore>, { validate = true } = {}) => {
  const bus = createBus({ catalog, source, validate, ...(store && { store }) }, transport(bridge), deadLetters(), retry({ attempts: 0 }))
  const seen: Seen[] = []
  const errors: Array<{ code: string; message: string }> = []
  bus.on('*', (type, data, e) => void seen.push({ type, id: e.id, data, source: e.source, correlationid: e.correlationid, causationid: e.causationid, time: e.time }))
  bus.onError((e) => void errors.push({ code: e.code, message: e.message }))
  return { bus, seen, errors }
}

/** A tab of the shop: `broadcastChannelBridge('shop')`, sharing the IndexedDB log when `shared`. */
export const tab = (name: string, shared: boolean) => {
  const store = shared ? indexedDBStore({ name: 'shop' }) : undefined
  return shop(`/${name}`, broadcastChannelBridge('shop', { ...(store && { store }) }), store)
}

/** The named "fulfil" subscription: takes `ms` per order, then says who handled it. */
export const fulfil = (s: ReturnType<typeof shop>, by: string, ms: number) =>
  s.bus.on('order.placed', async (data) => {
    await new Promise((resolve) => setTimeout(resolve, ms))
    s.bus.emit('order.handled', { orderId: data.orderId, by })
  }, { name: 'fulfil' })

/** The worker side: totals every order placed. */
export const totals = (s: ReturnType<typeof shop>) =>
  s.bus.on('order.placed', (data) => void s.bus.emit('order.totaled', { orderId: data.orderId, total: data.orderId.length * 10 }))

export const bridges = { broadcastChannelBridge, eventSourceBridge, messagePortBridge }
export type { PortLike }
