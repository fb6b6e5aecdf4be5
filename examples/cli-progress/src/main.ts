import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { connectDevtools, createBus, metrics, observe } from '@tidings/core'
import { renderProgress } from '@tidings/node'
import WebSocket from 'ws'
import { catalog } from './catalog'
import type { ImportBus } from './catalog'
import { generateCsv } from './generate-csv'
import { importCustomers } from './import-job'

const HELP = `Usage: node dist/main.js [options]

Imports a customers CSV and shows its progress: a bar in the terminal, and live events in the
devtools page when TIDINGS_DEVTOOLS holds the URL \`tidings devtools\` printed.

Options:
  --file <path>        the CSV to import (default: generate one in a temporary folder)
  --rows <n>           rows to generate when no --file is given (default 50000)
  --out <path>         where imported customers go, as NDJSON (default: customers.ndjson next to the CSV)
  --batch <n>          rows per write (default 250)
  --latency-ms <n>     simulated time per write (default 20)
  -h, --help           show this help`

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    rows: { type: 'string', default: '50000' },
    out: { type: 'string' },
    batch: { type: 'string', default: '250' },
    'latency-ms': { type: 'string', default: '20' },
    help: { type: 'boolean', short: 'h' },
  },
})

const count = (name: string, raw: string, min: number): number => {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number ≥ ${min}, got "${raw}"`)
    process.exit(2)
  }
  return n
}

if (values.help) {
  console.log(HELP)
  process.exit(0)
}

let file = values.file
if (file === undefined) {
  const rows = count('rows', values.rows, 1)
  file = join(mkdtempSync(join(tmpdir(), 'tidings-import-')), 'customers.csv')
  await generateCsv(file, rows)
  console.log(`Generated ${rows.toLocaleString('en')} customers in ${file}`)
}
const out = values.out ?? join(dirname(file), 'customers.ndjson')

// observe() and metrics() are what the devtools page shows; the bar needs only the kernel.
const bus: ImportBus = createBus({ catalog, source: '/cli-progress' }, observe(), metrics())
// The bar goes to stderr, so stdout keeps only the summary.
renderProgress(bus, { type: 'import', label: 'customers' })
const hub = process.env.TIDINGS_DEVTOOLS
const devtools = hub ? connectDevtools(bus, { url: hub, name: 'cli-progress', WebSocket }) : undefined

try {
  const { imported, rejected } = await importCustomers(bus, {
    file, out, batchSize: count('batch', values.batch, 1), latencyMs: count('latency-ms', values['latency-ms'], 0),
  })
  console.log(`Imported ${imported.toLocaleString('en')} customers into ${out}; rejected ${rejected.toLocaleString('en')} rows.`)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  // Sends the last events to the devtools page before the process ends.
  await devtools?.close()
}
