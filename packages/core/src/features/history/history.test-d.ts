import { expectTypeOf, it } from 'vitest'
import type { Envelope } from '../../envelope'
import type { Stats } from '../../history'
import { createBus } from '../../kernel/create-bus'
import { history } from './history'

it('adds bus.history() and bus.stats()', () => {
  const bus = createBus({}, history({ size: 10 }))
  expectTypeOf(bus.history({ type: 'order.*', limit: 5 })).resolves.toEqualTypeOf<Envelope[]>()
  expectTypeOf(bus.stats({ groupBy: 'data.customer' })).toEqualTypeOf<Stats>()
  // @ts-expect-error size is a number
  history({ size: 'big' })
})
