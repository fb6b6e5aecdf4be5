import { expectTypeOf, it } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import type { Observation } from '../../types'
import { observe } from './observe'

it('adds bus.observe(), which returns what stops it', () => {
  const bus = createBus({}, observe())
  expectTypeOf(bus.observe((o) => expectTypeOf(o).toEqualTypeOf<Observation>())).toEqualTypeOf<() => void>()
  // @ts-expect-error no observe() passed
  void createBus().observe
})
