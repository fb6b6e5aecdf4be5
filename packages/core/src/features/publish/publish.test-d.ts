import { expectTypeOf, it } from 'vitest'
import type { Envelope } from '../../envelope'
import { createBus } from '../../kernel/create-bus'
import { catalog } from '../../../test/fixtures'
import { publish } from './publish'

it('types publish() from the catalog, report envelope included', () => {
  const bus = createBus({ catalog }, publish())
  expectTypeOf(bus.publish('order.shipped', { orderId: 'o' })).resolves.toHaveProperty('envelope').toEqualTypeOf<Envelope<'order.shipped', { orderId: string }>>()
  // @ts-expect-error wrong payload
  void bus.publish('order.shipped', { orderId: 1 })
  // @ts-expect-error no publish() passed
  void createBus({ catalog }).publish
})
