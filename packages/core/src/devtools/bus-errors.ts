import type { DevtoolsBus } from './connect'
import { busErrorJSON } from './commands'
import type { BusErrorJSON } from './protocol'

/** How many of the latest errors a producer keeps for the page. */
const KEPT = 100

/**
 * The errors a bus reports to its `onError` listeners, the latest kept for the page's `errors`
 * command. It listens passively: connecting devtools neither silences an app's errors on the
 * console nor writes them a second time beside the app's own listener.
 */
export class BusErrorLog {
  private readonly kept: BusErrorJSON[] = []
  private total = 0
  readonly close: () => void

  constructor(bus: DevtoolsBus) {
    this.close = bus.onError((error) => {
      this.total++
      this.kept.push(busErrorJSON(error, Date.now()))
      if (this.kept.length > KEPT) this.kept.shift()
    }, { passive: true })
  }

  /** The latest first. */
  list(limit: number): { errors: BusErrorJSON[]; total: number } {
    return { errors: this.kept.slice(-limit).reverse(), total: this.total }
  }
}
