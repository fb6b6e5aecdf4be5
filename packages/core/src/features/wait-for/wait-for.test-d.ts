import { expectTypeOf, it } from 'vitest'
import type { Envelope } from '../../envelope'
import { createBus } from '../../kernel/create-bus'
import { catalog } from '../../../test/fixtures'
import { publish } from '../publish/publish'
import { waitFor } from './wait-for'

it('types the envelope it resolves with from the bus and the type or pattern', () => {
  const bus = createBus({ catalog }, publish())
  expectTypeOf(waitFor(bus, 'order.shipped')).resolves.toEqualTypeOf<Envelope<'order.shipped', { orderId: string }>>()
  expectTypeOf(waitFor(bus, 'order.*', { filter: (e) => e.type === 'order.placed' })).resolves.toHaveProperty('type').toEqualTypeOf<'order.placed' | 'order.shipped'>()
  // @ts-expect-error unknown type
  void waitFor(bus, 'order.nope')
})
