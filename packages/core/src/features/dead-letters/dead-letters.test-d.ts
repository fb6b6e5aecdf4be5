import { expectTypeOf, it } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import type { DeadLetterEntry } from '../../store/types'
import type { DeadLetterQueue } from '../../types'
import { deadLetters } from './dead-letters'

it('adds bus.dlq, and only to the buses given deadLetters()', () => {
  const bus = createBus({}, deadLetters({ max: 100 }))
  expectTypeOf(bus.dlq).toEqualTypeOf<DeadLetterQueue>()
  expectTypeOf(bus.dlq.list()).resolves.toEqualTypeOf<DeadLetterEntry[]>()
  // @ts-expect-error a kernel bus has no dead-letter queue
  void createBus().dlq
})
