import { describe, expect, it } from 'vitest'
import { createBus, isTidingsError, memoryStore } from '@tidings/core'
import { describeStoreContract } from './store-contract'

describeStoreContract('memoryStore()', async () => ({ store: memoryStore() }), { persistent: false })

describe('memoryStore() bounds', () => {
  const bus = createBus()

  it('keeps only the newest maxEvents records, without reusing positions', async () => {
    const store = memoryStore({ maxEvents: 3 })
    const events = [1, 2, 3, 4, 5].map((n) => bus.emit('tick', { n }))
    await store.append(events.slice(0, 2))
    await store.append(events.slice(2))
    const records = []
    for await (const r of store.read()) records.push(r)
    expect(records.map((r) => r.position)).toEqual([3, 4, 5])
    expect(records.map((r) => r.envelope.id)).toEqual(events.slice(2).map((e) => e.id))
  })

  it('refuses dead letters beyond maxDeadLetters with E_DLQ_OVERFLOW, but accepts updates', async () => {
    const store = memoryStore({ maxDeadLetters: 1 })
    const entry = {
      id: 'dl-1', envelope: bus.emit('tick', {}), subscription: 's', attempts: 1,
      firstFailedAt: new Date().toISOString(), lastFailedAt: new Date().toISOString(), error: { name: 'Error', message: 'x' },
    }
    await store.putDeadLetter(entry)
    await store.putDeadLetter({ ...entry, attempts: 2 })
    const error = await store.putDeadLetter({ ...entry, id: 'dl-2' }).catch((e: unknown) => e)
    expect(isTidingsError(error, 'E_DLQ_OVERFLOW')).toBe(true)
    expect((await store.listDeadLetters()).map((e) => e.attempts)).toEqual([2])
  })
})
