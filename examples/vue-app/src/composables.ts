import { createTidingsComposables } from '@tidings/vue'
import type { KitchenBus } from './bus'

/** Typed from the kitchen's bus; the bus itself is the one main.ts installs with app.use(tidings(bus)). */
export const { useBus, useEvent, useEmit, useLastEvent, useHistory, useDeadLetters } = createTidingsComposables<KitchenBus>()
