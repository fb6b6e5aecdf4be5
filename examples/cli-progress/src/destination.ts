import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import type { Customer } from './customer'

/**
 * Where imported customers go: an NDJSON file standing in for a remote API that takes
 * `latencyMs` per batch, which is what makes real imports slow enough to need a progress bar.
 */
export function openDestination(path: string, latencyMs: number) {
  const out = createWriteStream(path)
  return {
    async write(customers: readonly Customer[]): Promise<void> {
      await delay(latencyMs)
      const text = customers.map((c) => `${JSON.stringify(c)}\n`).join('')
      if (!out.write(text)) await once(out, 'drain')
    },
    async close(): Promise<void> {
      out.end()
      await once(out, 'finish')
    },
  }
}
