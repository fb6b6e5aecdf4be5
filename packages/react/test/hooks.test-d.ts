import { createBus, deadLetters, history } from '@tidings/core'
import type { DeadLetterEntry, Envelope } from '@tidings/core'
import { createTidingsHooks } from '@tidings/react'
import { describe, expectTypeOf, it } from 'vitest'
import { catalog } from './shop'
import type { ShopBus } from './shop'

describe('hooks typed from the bus catalog', () => {
  const { useEvent, useEmit, useLastEvent, useHistory, useDeadLetters } = createTidingsHooks<ShopBus>()

  it('types handlers by event type, pattern and *', () => {
    useEvent('order.placed', (data, envelope) => {
      expectTypeOf(data).toEqualTypeOf<{ orderId: string; total: number }>()
      expectTypeOf(envelope.type).toEqualTypeOf<'order.placed'>()
    })
    useEvent('order.*', (type, data) => {
      expectTypeOf(type).toEqualTypeOf<'order.placed' | 'order.shipped'>()
      expectTypeOf(data).toEqualTypeOf<{ orderId: string; total: number } | { orderId: string }>()
    })
    useEvent('*', (type) => expectTypeOf(type).toEqualTypeOf<'order.placed' | 'order.shipped' | 'cart.cleared'>())
    // @ts-expect-error not a type of the catalog
    useEvent('order.lost', () => {})
    // @ts-expect-error the payload has no such field
    useEvent('order.shipped', (data) => data.total)
    useEvent('order.placed', () => {}, { name: 'view', retry: { attempts: 0 } })
    // @ts-expect-error the hook ends the subscription itself: no signal
    useEvent('order.placed', () => {}, { signal: new AbortController().signal })
  })

  it('types emit and the last event', () => {
    const emit = useEmit()
    emit('order.placed', { orderId: 'o', total: 1 })
    emit('cart.cleared')
    // @ts-expect-error wrong payload
    emit('order.placed', { orderId: 'o' })
    // @ts-expect-error unknown type
    emit('order.lost', {})
    expectTypeOf(useLastEvent('order.shipped')).toEqualTypeOf<Envelope<'order.shipped', { orderId: string }> | undefined>()
    expectTypeOf(useLastEvent('order.*')?.type).toEqualTypeOf<'order.placed' | 'order.shipped' | undefined>()
  })

  it('types history by the query, and dead letters', () => {
    expectTypeOf(useHistory({ type: 'order.shipped' }).events).toEqualTypeOf<readonly Envelope<'order.shipped', { orderId: string }>[]>()
    expectTypeOf(useHistory({ types: ['order.shipped', 'cart.cleared'] }).events[0]!.type).toEqualTypeOf<'order.shipped' | 'cart.cleared'>()
    expectTypeOf(useHistory().events[0]!.type).toEqualTypeOf<'order.placed' | 'order.shipped' | 'cart.cleared'>()
    // @ts-expect-error not a type of the catalog
    useHistory({ type: 'order.lost' })
    expectTypeOf(useDeadLetters().entries).toEqualTypeOf<readonly DeadLetterEntry[]>()
    expectTypeOf(useDeadLetters().retry).returns.resolves.toHaveProperty('failed')
  })
})

describe('hooks follow the features of the bus', () => {
  it('has useHistory only with history() and useDeadLetters only with deadLetters()', () => {
    const kernelOnly = createTidingsHooks(createBus({ catalog }))
    // @ts-expect-error the bus was created without history()
    kernelOnly.useHistory()
    // @ts-expect-error the bus was created without deadLetters()
    kernelOnly.useDeadLetters()
    const withHistory = createTidingsHooks(createBus({ catalog }, history()))
    withHistory.useHistory({ type: 'order.placed' })
    // @ts-expect-error the bus was created without deadLetters()
    withHistory.useDeadLetters()
    createTidingsHooks(createBus({ catalog }, deadLetters())).useDeadLetters()
  })

  it('is untyped, as mitt, on a bus without a catalog', () => {
    const { useEvent, useEmit } = createTidingsHooks(createBus())
    useEvent('anything', (data) => expectTypeOf(data).toEqualTypeOf<unknown>())
    useEvent('a.*', (type) => expectTypeOf(type).toEqualTypeOf<string>())
    useEmit()('anything', 42)
  })
})
