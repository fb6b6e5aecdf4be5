import { TidingsEmitter } from '@tidings/node'
import type { ServiceBus } from './bus'

/** An order asks for more than the shelf holds: retrying at once cannot help, so it is dead-lettered. */
export class OutOfStockError extends Error {
  override readonly name = 'OutOfStockError'
  readonly retryable = false
}

interface StockLevel {
  sku: string
  level: number
}

/** The emitter's events: name → listener arguments, as Node's typed EventEmitter takes them. */
interface InventoryEvents {
  reserved: [StockLevel & { qty: number }]
  low: [StockLevel]
  restocked: [StockLevel]
}

const LOW_STOCK = 10

/**
 * The shop's stock keeper, a module older than the bus. It was `extends EventEmitter`; switching
 * the base class to TidingsEmitter is the whole migration: its listeners (`inventory.on('low', …)`)
 * work as before, and every event also travels on the bus as `inventory.<name>`, where it is
 * validated against the catalog, logged and visible in devtools.
 */
export class Inventory extends TidingsEmitter<InventoryEvents, ServiceBus> {
  readonly #levels: Map<string, number>

  constructor(bus: ServiceBus, skus: readonly string[], initial: number) {
    super({ bus, type: (name) => (typeof name === 'string' ? `inventory.${name}` : undefined) })
    this.#levels = new Map(skus.map((sku) => [sku, initial]))
  }

  level(sku: string): number {
    return this.#levels.get(sku) ?? 0
  }

  levels(): Record<string, number> {
    return Object.fromEntries(this.#levels)
  }

  /** Takes every line of an order off the shelf, or none of them. */
  reserve(lines: ReadonlyArray<{ sku: string; qty: number }>): void {
    for (const { sku, qty } of lines) {
      if (this.level(sku) < qty) throw new OutOfStockError(`${sku}: ${qty} wanted, ${this.level(sku)} left`)
    }
    for (const { sku, qty } of lines) {
      const level = this.level(sku) - qty
      this.#levels.set(sku, level)
      this.emit('reserved', { sku, qty, level })
      if (level < LOW_STOCK && level + qty >= LOW_STOCK) this.emit('low', { sku, level })
    }
  }

  restock(sku: string, qty: number): void {
    const level = this.level(sku) + qty
    this.#levels.set(sku, level)
    this.emit('restocked', { sku, level })
  }
}
