import { signal } from '@preact/signals'
import type { DeadLetterEntry, EnvelopeOf } from '@tidings/core'
import { isOwn } from './bus'
import type { ShopBus } from './bus'
import type { ShopEvents } from './catalog'

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

/** Recent orders with their payment status, and the payments waiting in the dead-letter queue. */
export function createOrders(bus: ShopBus) {
  const orders = signal<OrderRow[]>([])
  const deadLetters = signal<DeadLetterEntry[]>([])

  const setStatus = (orderId: string | undefined, status: OrderStatus) => {
    orders.value = orders.value.map((o) => (o.orderId === orderId ? { ...o, status } : o))
  }
  const refreshDeadLetters = async () => {
    deadLetters.value = await bus.dlq.list()
  }

  // Unnamed, as views are: on NATS every instance must see every order and payment (see cart.ts).
  // The functions' names are what devtools and dead letters call these subscriptions.
  bus.on('order.placed', function listOrder(order, event) {
    if (!isOwn(event)) return
    orders.value = [{ orderId: order.orderId, total: order.total, time: event.time, status: 'paying' as const }, ...orders.value].slice(0, SHOWN)
  })
  bus.on('payment.captured', function markPaid({ orderId }) {
    setStatus(orderId, 'paid')
    // A dead letter retried from elsewhere (the devtools page) leaves the queue once this
    // re-delivery has settled, after the current task: refresh the list then.
    if (deadLetters.value.some((entry) => entry.envelope.correlationid === orderId)) setTimeout(() => void refreshDeadLetters(), 0)
  })
  bus.dlq.subscribe((entry) => {
    setStatus(entry.envelope.correlationid, 'failed')
    void refreshDeadLetters()
  })

  return {
    orders,
    deadLetters,
    /** Rebuilds the list from the stored log and dead letters, as they were before a reload. */
    async restore() {
      const [events, letters] = await Promise.all([
        // The types filter makes every record one of these two events.
        bus.history({ types: ['order.placed', 'payment.captured'], limit: 200 }) as Promise<OrderEvent[]>,
        bus.dlq.list(),
      ])
      const paid = new Set(events.flatMap((e) => (e.type === 'payment.captured' ? [e.data.orderId] : [])))
      const failed = new Set(letters.map((entry) => entry.envelope.correlationid))
      orders.value = events.flatMap((e): OrderRow[] => {
        if (e.type !== 'order.placed' || !isOwn(e)) return []
        const { orderId, total } = e.data
        return [{ orderId, total, time: e.time, status: paid.has(orderId) ? 'paid' : failed.has(orderId) ? 'failed' : 'unknown' }]
      }).slice(0, SHOWN)
      deadLetters.value = letters
    },
    /** Re-delivers a dead letter to its subscription; a success emits payment.captured, which marks the order paid. */
    async retry(entry: DeadLetterEntry) {
      setStatus(entry.envelope.correlationid, 'paying')
      const { failed } = await bus.dlq.retry(entry.id)
      if (failed.length) setStatus(entry.envelope.correlationid, 'failed')
      await refreshDeadLetters()
    },
    async discard(entry: DeadLetterEntry) {
      await bus.dlq.discard(entry.id)
      setStatus(entry.envelope.correlationid, 'abandoned')
      await refreshDeadLetters()
    },
  }
}

export type Orders = ReturnType<typeof createOrders>
