import * as v from 'valibot'
import { defineCatalog, defineEvent } from '@tidings/core'

const money = v.pipe(v.number(), v.minValue(0))

/** What the page and its totals worker say to each other (`src/totals.ts`, `src/totals.worker.ts`). */
export const totalsCatalog = defineCatalog(
  defineEvent('totals.requested', {
    description: 'The cart changed: its lines, for the worker to price.',
    schema: v.object({ lines: v.array(v.object({ sku: v.string(), qty: v.pipe(v.number(), v.integer(), v.minValue(1)) })) }),
  }),
  defineEvent('totals.computed', {
    description: 'The worker priced a cart; caused by the totals.requested it answers.',
    schema: v.object({ items: v.number(), total: money, vat: money, freeShippingIn: money }),
  }),
)
