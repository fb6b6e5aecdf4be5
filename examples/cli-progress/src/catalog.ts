import * as v from 'valibot'
import { defineCatalog, defineEvent, defineProgressEvents } from '@tidings/core'
import type { Bus, EventsOf } from '@tidings/core'

export const CustomerRejected = defineEvent('customer.rejected', {
  description: 'A CSV row the import skipped, and why.',
  schema: v.object({ line: v.number(), reason: v.string() }),
})

/** import.started / .progress / .completed / .failed, as trackProgress emits them, and the rejects. */
export const catalog = defineCatalog(...defineProgressEvents('import'), CustomerRejected)
export type ImportBus = Bus<EventsOf<typeof catalog>>
