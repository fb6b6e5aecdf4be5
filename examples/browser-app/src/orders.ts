import type { DeadLetterEntry, EnvelopeOf } from '@tidings/core'
import { useReducer, useState } from 'preact/hooks'
import { isOwn } from './bus'
import type { ShopBus } from './bus'
import type { ShopEvents } from './catalog'
import { useDeadLetters, useEvent } from './hooks'

/** `unknown`: the page was reloaded while the payment was in flight, so it has no outcome. */
export type OrderStatus = 'paying' | 'paid' | 'failed' | 'abandoned' | 'unknown'

export interface OrderRow {
  orderId: string
  total: number
  time: string
  status: OrderStatus
}

const SHOWN = 12

type OrderEvent = EnvelopeOf<ShopEvents, 'order.placed' | 'payment.captured'>

/** One step of the order list: a new order of this shopper on top, or an order paid. */
const applyOrderEvent = (rows: OrderRow[], event: OrderEvent): OrderRow[] => {
  if (event.type === 'payment.captured') return rows.map((o) => (o.orderId === event.data.orderId ? { ...o, status: 'paid' } : o))
  if (!isOwn(event)) return rows
  return [{ orderId: event.data.orderId, total: event.data.total, time: event.time, status: 'paying' as const }, ...rows].slice(0, SHOWN)
}

/** Recent orders as the stored log and dead letters had them before a reload. */
export async function restoreOrders(bus: ShopBus): Promise<OrderRow[]> {
  const [events, letters] = await Promise.all([
    // The types filter makes every record one of these two events.
    bus.history({ types: ['order.placed', 'payment.captured'], limit: 200 }) as Promise<OrderEvent[]>,
    bus.dlq.list(),
  ])
  const paid = new Set(events.flatMap((e) => (e.type === 'payment.captured' ? [e.data.orderId] : [])))
  const failed = new Set(letters.map((entry) => entry.envelope.correlationid))
  return events.flatMap((e): OrderRow[] => {
    if (e.type !== 'order.placed' || !isOwn(e)) return []
    const { orderId, total } = e.data
    return [{ orderId, total, time: e.time, status: paid.has(orderId) ? 'paid' : failed.has(orderId) ? 'failed' : 'unknown' }]
  }).slice(0, SHOWN)
}

/**
 * Recent orders with their payment status, and the payments waiting in the dead-letter queue.
 * An order is "payment failed" while its payment is a dead letter, unless this page is retrying
 * it or gave it up.
 */
export function useOrders(restored: OrderRow[]) {
  const [rows, apply] = useReducer(applyOrderEvent, restored)
  const [acted, setActed] = useState<ReadonlyMap<string, 'paying' | 'abandoned'>>(new Map())
  const deadLetters = useDeadLetters()
  const act = (entry: DeadLetterEntry, status: 'paying' | 'abandoned' | undefined) => setActed((was) => {
    const next = new Map(was)
    const orderId = entry.envelope.correlationid ?? entry.id
    if (status === undefined) next.delete(orderId)
    else next.set(orderId, status)
    return next
  })

  // Unnamed, as views are: on NATS every instance must see every order and payment (see cart.ts).
  // The functions' names are what devtools and dead letters call these subscriptions.
  useEvent('order.placed', function listOrder(_order, event) {
    apply(event)
  })
  useEvent('payment.captured', function markPaid({ orderId }, event) {
    apply(event)
    // A dead letter retried from elsewhere (the devtools page) leaves the queue once this
    // re-delivery has settled, after the current task: read the queue again then.
    if (deadLetters.entries.some((entry) => entry.envelope.correlationid === orderId)) setTimeout(deadLetters.refresh, 0)
  })

  const failed = new Set(deadLetters.entries.map((entry) => entry.envelope.correlationid))
  const orders = rows.map((o): OrderRow => {
    const status = o.status === 'paid' ? 'paid' : acted.get(o.orderId) ?? (failed.has(o.orderId) ? 'failed' : o.status)
    return status === o.status ? o : { ...o, status }
  })
  return {
    orders,
    deadLetters: deadLetters.entries,
    /** Re-delivers a dead letter to its subscription; a success emits payment.captured, which marks the order paid. */
    async retry(entry: DeadLetterEntry) {
      act(entry, 'paying')
      await deadLetters.retry(entry.id)
      act(entry, undefined)
    },
    async discard(entry: DeadLetterEntry) {
      act(entry, 'abandoned')
      await deadLetters.discard(entry.id)
    },
  }
}

export type Orders = ReturnType<typeof useOrders>
