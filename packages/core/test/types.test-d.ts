import { describe, expectTypeOf, it } from 'vitest'
import { createBus, defineFlow, publish, standard, waitFor } from '@tidings/core'
import type { Bus, BusWith, Envelope, EventsOf, StandardBus } from '@tidings/core'
import { catalog } from './fixtures'

type Placed = { orderId: string; amount: number; currency: string }

describe('a bus typed by its catalog', () => {
  const bus = createBus({ catalog })

  it('infers payload types from the valibot schemas', () => {
    expectTypeOf<EventsOf<typeof catalog>['order.placed']>().toEqualTypeOf<Placed>()
    expectTypeOf(bus).toEqualTypeOf<Bus<EventsOf<typeof catalog>>>()
  })

  it('types emit() and its return value', () => {
    expectTypeOf(bus.emit('order.placed', { orderId: 'o', amount: 1, currency: 'EUR' })).toEqualTypeOf<Envelope<'order.placed', Placed>>()
    bus.emit('app.heartbeat')
    // @ts-expect-error unknown event type
    bus.emit('order.cancelled', { orderId: 'o' })
    // @ts-expect-error wrong payload field type
    bus.emit('order.placed', { orderId: 'o', amount: '1', currency: 'EUR' })
    // @ts-expect-error missing payload field
    bus.emit('order.placed', { orderId: 'o', amount: 1 })
    // @ts-expect-error missing payload
    bus.emit('order.shipped')
  })

  it('types handlers from the subscribed type', () => {
    bus.on('order.placed', (data, envelope) => {
      expectTypeOf(data).toEqualTypeOf<Placed>()
      expectTypeOf(envelope.type).toEqualTypeOf<'order.placed'>()
      expectTypeOf(envelope.data).toEqualTypeOf<Placed>()
    })
    // @ts-expect-error handler parameter of the wrong type
    bus.on('order.placed', (data: { sku: number }) => data)
    // @ts-expect-error unknown type
    bus.on('order.unknown', () => {})
  })

  it('narrows pattern handlers to the matching types', () => {
    bus.on('order.*', (type, _data, envelope) => {
      expectTypeOf(type).toEqualTypeOf<'order.placed' | 'order.shipped'>()
      if (envelope.type === 'order.placed') expectTypeOf(envelope.data).toEqualTypeOf<Placed>()
    })
    bus.on('order.**', (type) => {
      expectTypeOf(type).toEqualTypeOf<'order.placed' | 'order.shipped' | 'order.item.added'>()
    })
    bus.on('*', (type) => {
      expectTypeOf(type).toEqualTypeOf<'order.placed' | 'order.shipped' | 'order.item.added' | 'user.signed-up' | 'app.heartbeat'>()
    })
  })

  it('types publish() and waitFor()', () => {
    const published = createBus({ catalog }, publish())
    expectTypeOf(published).toEqualTypeOf<BusWith<EventsOf<typeof catalog>, [ReturnType<typeof publish>]>>()
    expectTypeOf(published.publish('order.shipped', { orderId: 'o' })).resolves.toHaveProperty('envelope').toEqualTypeOf<Envelope<'order.shipped', { orderId: string }>>()
    expectTypeOf(waitFor(bus, 'order.shipped')).resolves.toEqualTypeOf<Envelope<'order.shipped', { orderId: string }>>()
    // @ts-expect-error wrong payload for publish
    void published.publish('order.shipped', { orderId: 1 })
    // @ts-expect-error a kernel bus has no publish(): create it with publish() or standard()
    void bus.publish('order.shipped', { orderId: 'o' })
  })

  it('has every in-process API with standard(), as StandardBus', () => {
    const full = createBus({ catalog }, standard())
    expectTypeOf(full).toMatchTypeOf<StandardBus<EventsOf<typeof catalog>>>()
    expectTypeOf(full.dlq.size()).resolves.toEqualTypeOf<number>()
    expectTypeOf(full.metrics().totals.emitted).toEqualTypeOf<number>()
  })
})

describe('an untyped bus', () => {
  it('accepts any type and payload, like mitt', () => {
    const bus = createBus()
    bus.emit('anything', { whatever: true })
    bus.emit('no-payload')
    bus.on('anything', (data) => expectTypeOf(data).toBeUnknown())
  })

  it('can be typed by an explicit event map, like mitt<Events>()', () => {
    const bus = createBus<{ ping: number; pong: undefined }>()
    bus.emit('ping', 1)
    bus.emit('pong')
    // @ts-expect-error wrong payload
    bus.emit('ping', 'one')
    bus.on('ping', (n) => expectTypeOf(n).toEqualTypeOf<number>())
  })
})

describe('flows typed by the catalog', () => {
  type E = EventsOf<typeof catalog>
  it('types when/map from the step trigger and checks emitted types', () => {
    defineFlow<E>({
      name: 'ship',
      steps: [
        {
          on: 'order.placed',
          emit: 'order.shipped',
          when: (data) => data.amount > 0,
          map: (data, envelope) => {
            expectTypeOf(data).toEqualTypeOf<Placed>()
            expectTypeOf(envelope.type).toEqualTypeOf<'order.placed'>()
            return { orderId: data.orderId }
          },
        },
        { join: ['order.placed', 'order.shipped'], emit: 'user.signed-up' },
      ],
    })
    // @ts-expect-error emits a type outside the catalog
    defineFlow<E>({ name: 'bad', steps: [{ on: 'order.placed', emit: 'order.lost' }] })
  })
})
