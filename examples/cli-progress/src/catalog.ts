import * as v from 'valibot'
import { defineCatalog, defineEvent, defineProgressEvents } from '@tidings/core'
import type { BusWith, EventsOf, metrics, observe } from '@tidings/core'

export const CustomerRejected = defineEvent('customer.rejected', {
  description: 'A CSV row the import skipped, and why.',
  schema: v.object({ line: v.number(), reason: v.string() }),
})

/** import.started / .progress / .completed / .failed, as trackProgress emits them, and the rejects. */
export const catalog = defineCatalog(...defineProgressEvents('import'), CustomerRejected)
/** The import's bus: the kernel, plus observe() and metrics() for the devtools page. */
export type ImportBus = BusWith<EventsOf<typeof catalog>, [ReturnType<typeof observe>, ReturnType<typeof metrics>]>
