import { createBus, deadLetters, history } from '@tidings/core'
import { catalog } from './catalog'

/**
 * The kitchen's bus: typed by its catalog, with the last 200 events in memory (history()) and the
 * deliveries that failed kept as dead letters. `createTidingsComposables<KitchenBus>()` takes its
 * types from this, so `useHistory` and `useDeadLetters` exist because these features are here.
 */
export const createKitchenBus = () => createBus({ catalog, source: '/vue-app' }, history({ size: 200 }), deadLetters())

export type KitchenBus = ReturnType<typeof createKitchenBus>
