import { transport } from '@tidings/core'
import type { Store } from '@tidings/core'
import { broadcastChannelBridge } from '@tidings/core/bridges'

/**
 * The shop's tabs as one bus: every tab sees every cart and order event once, and a named
 * subscription (the payment handler, sending payments to shipping) runs in one tab, elected with
 * Web Locks; another takes over when it closes, resuming from the IndexedDB log they share.
 */
export const tabSync = (store: Store) => transport(broadcastChannelBridge('tidings-tea-shop', { store }))
