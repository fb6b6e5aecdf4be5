import { createBus } from '@tidings/core'
import type { Bus, Transport } from '@tidings/core'
import { indexedDBStore } from '@tidings/core/indexeddb'
import { SHARED_TYPES, catalog } from './catalog'
import type { ShopEvents } from './catalog'
import { pageSetting } from './page-setting'

export type ShopBus = Bus<ShopEvents>

/** This browser's own id, kept across reloads: its events' `source` tells them from other shoppers'. */
const clientId = () => {
  let id = localStorage.getItem('tidings-shop-client')
  if (id === null) localStorage.setItem('tidings-shop-client', (id = crypto.randomUUID().slice(0, 8)))
  return id
}

/** A nats-server's WebSocket URL (`?nats=ws://127.0.0.1:8080`): the shop then sends its orders to the node service. */
export const natsUrl = pageSetting('nats', import.meta.env.VITE_TIDINGS_NATS)

// Loaded only when used, so that the shop without NATS does not download the client.
const transport: Transport | undefined = natsUrl === undefined
  ? undefined
  : (await import('@tidings/nats')).natsTransport({ servers: natsUrl, types: SHARED_TYPES })

/**
 * The shop's one bus. Its log and dead letters live in IndexedDB, so the cart, the order history
 * and failed payments are still there after a reload. On NATS, orders and payments also travel
 * to and from the node service's instances; the cart's events stay in the page.
 */
export const bus: ShopBus = createBus({
  catalog,
  source: `/browser-app/${clientId()}`,
  store: indexedDBStore({ name: 'tidings-tea-shop' }),
  transport,
})

/** Whether this browser emitted the event (on NATS, other shoppers' orders arrive too). */
export const isOwn = (event: { source: string }): boolean => event.source === bus.source
