import { expectTypeOf, it } from 'vitest'
import type { Envelope } from '../../envelope'
import { createBus } from '../../kernel/create-bus'
import type { DeadLetterQueue } from '../../types'
import { catalog } from '../../../test/fixtures'
import { standard } from './standard'
import type { StandardBus } from './standard'
import type { EventsOf } from '../../catalog'

it('adds every in-process API, typed by the catalog', () => {
  const bus = createBus({ catalog }, standard({ retry: { attempts: 1 }, history: { size: 10 }, deadLetters: { max: 5 } }))
  expectTypeOf(bus.dlq).toEqualTypeOf<DeadLetterQueue>()
  expectTypeOf(bus.publish('order.shipped', { orderId: 'o' })).resolves.toHaveProperty('envelope').toEqualTypeOf<Envelope<'order.shipped', { orderId: string }>>()
  expectTypeOf(bus.metrics).toBeFunction()
  expectTypeOf(bus.history).toBeFunction()
  expectTypeOf(bus.stats).toBeFunction()
  expectTypeOf(bus.observe).toBeFunction()
  // @ts-expect-error unknown type
  void bus.publish('order.nope', {})
  expectTypeOf(bus).toMatchTypeOf<StandardBus<EventsOf<typeof catalog>>>()
})
