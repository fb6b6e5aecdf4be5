import { expectTypeOf, it } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import type { MetricsSnapshot } from '../../metrics'
import { metrics } from './metrics'

it('adds bus.metrics()', () => {
  expectTypeOf(createBus({}, metrics()).metrics()).toEqualTypeOf<MetricsSnapshot>()
  // @ts-expect-error no metrics() passed
  void createBus().metrics
})
