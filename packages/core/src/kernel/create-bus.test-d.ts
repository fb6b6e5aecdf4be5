import { describe, expectTypeOf, it } from 'vitest'
import type { Envelope } from '../envelope'
import { catalog } from '../../test/fixtures'
import { memoryStore } from '../store/memory-store'
import type { Store, StoreBackend } from '../store/types'
import { createBus } from './create-bus'
import { defineStore } from './store-log'

type Placed = { orderId: string; amount: number; currency: string }

describe('a kernel bus typed by its catalog', () => {
  const bus = createBus({ catalog, validate: false })

  it('types emit() and its envelope from the schemas', () => {
    expectTypeOf(bus.emit('order.placed', { orderId: 'o', amount: 1, currency: 'EUR' })).toEqualTypeOf<Envelope<'order.placed', Placed>>()
    bus.emit('app.heartbeat')
    // @ts-expect-error unknown event type
    bus.emit('order.cancelled', { orderId: 'o' })
    // @ts-expect-error wrong payload field type
    bus.emit('order.placed', { orderId: 'o', amount: '1', currency: 'EUR' })
    // @ts-expect-error missing payload
    bus.emit('order.shipped')
  })

  it('types handlers, and narrows pattern handlers to the matching types', () => {
    bus.on('order.placed', (data, envelope) => {
      expectTypeOf(data).toEqualTypeOf<Placed>()
      expectTypeOf(envelope.type).toEqualTypeOf<'order.placed'>()
    })
    bus.on('order.*', (type) => expectTypeOf(type).toEqualTypeOf<'order.placed' | 'order.shipped'>())
    // @ts-expect-error handler parameter of the wrong type
    bus.on('order.placed', (data: { sku: number }) => data)
  })

  it('has the kernel API only: no feature API unless the feature is passed', () => {
    // @ts-expect-error no deadLetters()
    void bus.dlq
    // @ts-expect-error no publish()
    void bus.publish
    // @ts-expect-error no metrics()
    void bus.metrics
  })
})

describe('an untyped kernel bus', () => {
  it('takes any type and payload, as mitt does', () => {
    const bus = createBus()
    bus.emit('anything', { n: 1 })
    bus.on('*', (type, data) => {
      expectTypeOf(type).toEqualTypeOf<string>()
      expectTypeOf(data).toEqualTypeOf<unknown>()
    })
  })
})

describe('a store', () => {
  it('is a StoreBackend made a Store by defineStore()', () => {
    const backend: StoreBackend = memoryStore()
    // @ts-expect-error a backend that was not passed through defineStore()
    createBus({ store: backend })
    createBus({ store: defineStore(backend) })
    expectTypeOf(defineStore(backend)).toMatchTypeOf<Store>()
  })
})
