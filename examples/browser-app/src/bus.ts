import { createBus, standard, transport } from '@tidings/core'
import type { StandardBus, Transport } from '@tidings/core'
import { indexedDBStore } from '@tidings/core/indexeddb'
import { SHARED_TYPES, catalog } from './catalog'
import type { ShopEvents } from './catalog'
import { pageSetting } from './page-setting'
import { tabSync } from './sync'

export type ShopBus = StandardBus<ShopEvents>

/** This browser's own id, kept across reloads: its events' `source` tells them from other shoppers'. */
const clientId = () => {
  let id = localStorage.getItem('tidings-shop-client')
  if (id === null) localStorage.setItem('tidings-shop-client', (id = crypto.randomUUID().slice(0, 8)))
  return id
}

/** A nats-server's WebSocket URL (`?nats=ws://127.0.0.1:8080`): the shop then sends its orders to the node service. */
export const natsUrl = pageSetting('nats', import.meta.env.VITE_TIDINGS_NATS)

// Loaded only when used, so that the shop without NATS does not download the client.
const nats: Transport | undefined = natsUrl === undefined
  ? undefined
  : (await import('@tidings/nats')).natsTransport({ servers: natsUrl, types: SHARED_TYPES })

/**
 * The shop's one bus, with every in-process feature (retries, dead letters, history, metrics and
 * observe() for devtools). Its log and dead letters live in IndexedDB, so the cart, the order
 * history and failed payments are still there after a reload. The shop's tabs share it (`sync.ts`).
 * On NATS, orders and payments travel to and from the node service's instances instead; the
 * cart's events stay in the tab.
 */
const options = { catalog, source: `/browser-app/${clientId()}`, store: indexedDBStore({ name: 'tidings-tea-shop' }) }
export const bus: ShopBus = nats === undefined ? createBus(options, standard(), tabSync(options.store)) : createBus(options, standard(), transport(nats))

/** Whether this browser emitted the event (on NATS, other shoppers' orders arrive too). */
export const isOwn = (event: { source: string }): boolean => event.source === bus.source
