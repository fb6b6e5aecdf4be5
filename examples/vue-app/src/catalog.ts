import * as v from 'valibot'
import { defineCatalog, defineEvent } from '@tidings/core'

const ticket = v.pipe(v.string(), v.regex(/^T\d+$/, 'a ticket id looks like "T12"'))

export const TicketOrdered = defineEvent('ticket.ordered', {
  description: 'A waiter sent a dish to the kitchen.',
  schema: v.object({ ticket, dish: v.string(), table: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
})

export const TicketReady = defineEvent('ticket.ready', {
  description: 'The kitchen has the dish ready for its table.',
  schema: v.object({ ticket, dish: v.string(), table: v.number() }),
})

export const catalog = defineCatalog(TicketOrdered, TicketReady)
