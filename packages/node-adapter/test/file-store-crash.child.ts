// Run by file-store-crash.test.ts (bundled with esbuild): writes to a file store until killed, and
// prints every write the store acknowledged, as soon as it is acknowledged.
import { createBus, deadLetters } from '@tidings/core'
import type { DeadLetterEntry } from '@tidings/core'
import { fileStore } from '../src/file-store'

const [dir, round, mode] = process.argv.slice(2) as [string, string, 'write' | 'hold' | 'bus' | 'dlq']
const store = fileStore({ dir, durability: 'fsync', maxSegmentBytes: 32 * 1024 })
// deadLetters() without retry(): a failing handler is dead-lettered at once.
const bus = createBus({ source: `/crash/${round}`, store: mode === 'bus' ? store : undefined }, deadLetters())
// Pipes are synchronous on Linux: a line printed here has reached the parent before the next statement.
const say = (line: string): void => void process.stdout.write(`${line}\n`)

await Promise.all([store.ready, bus.ready])
say('ready')
if (mode === 'hold') setInterval(() => {}, 1000)
else if (mode === 'bus') {
  // A service: emits, and a failing handler fills the dead-letter queue; flush() acknowledges both.
  bus.on('crash.fail', () => {
    throw new Error('handler down')
  }, { name: 'failing' })
  bus.dlq.subscribe((entry) => say(`put ${entry.id}`))
  for (let i = 0; ; i++) {
    const ids = Array.from({ length: 1 + (i % 4) }, (_, j) => bus.emit('crash.tick', { round, i, j }).id)
    if (i % 3 === 0) ids.push(bus.emit('crash.fail', { round, i }).id)
    await bus.flush()
    say(`ack ${ids.join(' ')}`)
  }
} else if (mode === 'dlq') {
  // Dead letters only: new entries, updates of earlier ones (which make the file compact now and then) and deletions.
  const inFlight = new Set<Promise<void>>()
  const envelope = bus.emit('crash.fail', { round })
  for (let i = 0; ; i++) {
    const id = i % 3 === 2 ? `dl-${round}-${i - 2}` : `dl-${round}-${i}`
    const entry: DeadLetterEntry = {
      id, envelope, subscription: 'crash', attempts: i + 1,
      firstFailedAt: new Date().toISOString(), lastFailedAt: new Date().toISOString(), error: { name: 'Error', message: 'x'.repeat(i % 500) },
    }
    const write = store.putDeadLetter(entry).then(() => say(`put ${id} ${i + 1}`))
    inFlight.add(write)
    void write.finally(() => inFlight.delete(write))
    if (i % 7 === 6) {
      const gone = `dl-${round}-${i - 6}`
      say(`deleting ${gone}`)
      void store.deleteDeadLetter(gone).then(() => say(`del ${gone}`))
    }
    if (inFlight.size >= 8) await Promise.race(inFlight)
  }
} else {
  const inFlight = new Set<Promise<void>>()
  const dead: string[] = []
  for (let i = 0; ; i++) {
    const batch = Array.from({ length: 1 + (i % 5) }, (_, j) => bus.emit('crash.tick', { round, i, j, pad: 'x'.repeat((i * 7) % 300) }))
    const write = store.append(batch).then(() => say(`ack ${batch.map((e) => e.id).join(' ')}`))
    inFlight.add(write)
    void write.finally(() => inFlight.delete(write))
    if (i % 10 === 0) {
      const entry: DeadLetterEntry = {
        id: `dl-${round}-${i}`, envelope: batch[0]!, subscription: 'crash', attempts: 1,
        firstFailedAt: new Date().toISOString(), lastFailedAt: new Date().toISOString(), error: { name: 'Error', message: `round ${round}` },
      }
      void store.putDeadLetter(entry).then(() => say(`put ${entry.id}`))
      dead.push(entry.id)
    }
    if (i % 25 === 24) {
      const id = dead.shift()!
      say(`deleting ${id}`)
      void store.deleteDeadLetter(id).then(() => say(`del ${id}`))
    }
    if (inFlight.size >= 4) await Promise.race(inFlight)
  }
}
