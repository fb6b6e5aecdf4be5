import type { Inventory } from './inventory'

/**
 * Reorders from the supplier when a product runs low; the delivery arrives `leadTimeMs` later.
 * A plain EventEmitter listener, written before the bus existed and untouched by the move to
 * TidingsEmitter.
 */
export function reorderWhenLow(inventory: Inventory, { quantity, leadTimeMs }: { quantity: number; leadTimeMs: number }): void {
  inventory.on('low', ({ sku }) => {
    // Unref'd: a pending delivery must not keep the process from shutting down.
    setTimeout(() => inventory.restock(sku, quantity), leadTimeMs).unref()
  })
}
