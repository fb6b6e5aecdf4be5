import { createBus, deadLetters, transport } from '@tidings/core'
import { eventSourceBridge } from '@tidings/core/bridges'
import { createTidingsHooks } from '@tidings/react'
import { useState } from 'preact/hooks'
import { bus } from './bus'
import type { ShopBus } from './bus'
import { pushCatalog } from './catalog'
import { pageSetting } from './page-setting'

/** The node service's event stream (`?push=http://127.0.0.1:3000/events`): it ships paid orders and says so. */
export const pushUrl = pageSetting('push', import.meta.env.VITE_TIDINGS_PUSH)

const NO_SHIPMENTS: ReadonlyMap<string, string> = new Map()

// A bus of its own (the shop's has its transport already), and a stream per tab. Only shipments
// come down (`?types=`); payments go up, POSTed to the same URL.
const pushBus = pushUrl === undefined ? undefined : createBus(
  { catalog: pushCatalog, source: bus.source },
  transport(eventSourceBridge(`${pushUrl}?types=order.shipped`, { upstream: ['payment.captured'] })),
  deadLetters(),
)
pushBus?.onError((error) => console.warn(error.message))

/**
 * Sends each payment this shop takes to the node service, which ships the order. Named, so that
 * it runs in one tab only (elected with the other tabs), as the payment handler does.
 */
export function sendPaymentsToShipping(shop: ShopBus): () => void {
  if (pushBus === undefined) return () => {}
  const push = pushBus
  return shop.on('payment.captured', (data, { id, time, correlationid, causationid, extensions }) => {
    // The same event, id included: the service and devtools see one payment, not a copy.
    push.emit('payment.captured', data, { id, time, correlationid, causationid, extensions })
  }, { name: 'send-to-shipping' })
}

const hooks = pushBus === undefined ? undefined : createTidingsHooks(pushBus)

/** The parcels of shipped orders (order id → parcel), pushed to this tab while it is open. */
export const useShipments: () => ReadonlyMap<string, string> = hooks === undefined ? () => NO_SHIPMENTS : () => {
  const [shipped, setShipped] = useState(NO_SHIPMENTS)
  hooks.useEvent('order.shipped', ({ orderId, parcel }) => setShipped((was) => new Map(was).set(orderId, parcel)))
  return shipped
}
