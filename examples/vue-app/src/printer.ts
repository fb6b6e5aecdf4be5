import type { KitchenBus } from './bus'

/** The dish the ticket printer cannot print (its font lacks the "ñ"): those tickets are dead-lettered. */
export const UNPRINTABLE = 'Piña colada'

class PrinterJamError extends Error {
  override readonly name = 'PrinterJamError'
}

/** Stands in for a kitchen printer: prints each ticket, and fails on one dish until it is fixed. */
export function connectPrinter(bus: KitchenBus, printer = { fixed: false }) {
  const off = bus.on('ticket.ordered', ({ ticket, dish }) => {
    if (dish === UNPRINTABLE && !printer.fixed) throw new PrinterJamError(`cannot print "${dish}" on ${ticket} (fix the printer, then retry)`)
  }, { name: 'print-ticket', retry: { attempts: 0 } })
  return { printer, off }
}
