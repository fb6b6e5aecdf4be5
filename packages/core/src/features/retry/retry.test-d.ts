import { expectTypeOf, it } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import type { Bus } from '../../kernel/types'
import { retry } from './retry'

it('adds no API and takes a typed policy', () => {
  const bus = createBus({}, retry({ attempts: 2, backoff: { initialMs: 10 }, shouldRetry: (_error, attempt) => attempt < 2 }))
  expectTypeOf(bus).toEqualTypeOf<Bus & object>()
  // @ts-expect-error attempts is a number
  retry({ attempts: 'many' })
})
