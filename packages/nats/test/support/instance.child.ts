import { createInterface } from 'node:readline'
import { connect } from '@nats-io/transport-node'
import { createBus, deadLetters, retry, transport } from '@tidings/core'
import { natsTransport } from '@tidings/nats'
import type { NatsTransportOptions } from '@tidings/nats'

/**
 * Another instance of a service, in its own process: it takes 'job' events in the named
 * subscription 'worker', prints `start <data>` for each, and holds it until the parent writes
 * `release` (then prints `done <data>`), or forever with `hold`. `attempts` is its retry policy's.
 */
const { mode, attempts, ...options } = JSON.parse(process.argv[2]!) as NatsTransportOptions & { mode: 'hold' | 'release'; attempts?: number }
let released = false
const waiting: (() => void)[] = []
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line !== 'release') return
  released = true
  for (const resolve of waiting.splice(0)) resolve()
})

// retry() applies the subscription's own policy (and so the consumer's max_deliver).
const bus = createBus({ source: `/instance/${process.pid}` }, transport(natsTransport({ ...options, connect })), deadLetters(), retry())
bus.on('job', async (data) => {
  console.log(`start ${String(data)}`)
  if (mode === 'hold') return new Promise<never>(() => {})
  if (!released) await new Promise<void>((resolve) => waiting.push(resolve))
  console.log(`done ${String(data)}`)
}, { name: 'worker', retry: { attempts: attempts ?? 3 } })
await bus.ready
console.log('ready')
