import { basename } from 'node:path'
import { trackProgress } from '@tidings/core'
import type { ImportBus } from './catalog'
import { countRows, readBatches } from './csv-reader'
import type { Customer } from './customer'
import { parseCustomer } from './customer'
import { openDestination } from './destination'

export interface ImportOptions {
  file: string
  out: string
  batchSize: number
  latencyMs: number
}

export interface ImportResult {
  imported: number
  rejected: number
}

/**
 * Imports a customers CSV, reporting on the bus as it goes: `import.started`, throttled
 * `import.progress`, then `import.completed` or `import.failed`, and a `customer.rejected` per
 * bad row, all sharing the import's correlation id.
 */
export async function importCustomers(bus: ImportBus, options: ImportOptions): Promise<ImportResult> {
  const total = await countRows(options.file)
  const progress = trackProgress(bus, { type: 'import', total, data: { file: basename(options.file) } })
  const destination = openDestination(options.out, options.latencyMs)
  let imported = 0
  let rejected = 0
  try {
    for await (const batch of readBatches(options.file, options.batchSize)) {
      const customers: Customer[] = []
      for (const { line, text } of batch) {
        const row = parseCustomer(text)
        if (row.ok) customers.push(row.customer)
        else {
          rejected++
          bus.emit('customer.rejected', { line, reason: row.reason }, { correlationid: progress.correlationid })
        }
      }
      await destination.write(customers)
      imported += customers.length
      progress.advance(batch.length)
    }
    await destination.close()
  } catch (error) {
    progress.fail(error)
    throw error
  }
  progress.done({ imported, rejected })
  return { imported, rejected }
}
