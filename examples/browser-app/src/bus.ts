import { createBus } from '@tidings/core'
import type { Bus } from '@tidings/core'
import { indexedDBStore } from '@tidings/core/indexeddb'
import { catalog } from './catalog'
import type { ShopEvents } from './catalog'

export type ShopBus = Bus<ShopEvents>

/**
 * The shop's one bus. Its log and dead letters live in IndexedDB, so the cart, the order history
 * and failed payments are still there after a reload.
 */
export const bus: ShopBus = createBus({ catalog, source: '/browser-app', store: indexedDBStore({ name: 'tidings-tea-shop' }) })
