import { createBus, deadLetters, history } from '@tidings/core'
import type { DeadLetterEntry, Envelope } from '@tidings/core'
import { createTidingsComposables, tidings } from '@tidings/vue'
import { createApp, ref } from 'vue'
import type { ShallowRef } from 'vue'
import { describe, expectTypeOf, it } from 'vitest'
import { catalog, shopBus } from './shop'
import type { ShopBus } from './shop'

describe('composables typed from the bus catalog', () => {
  const { useBus, useEvent, useEmit, useLastEvent, useHistory, useDeadLetters } = createTidingsComposables<ShopBus>()

  it('types the injected bus and the plugin', () => {
    expectTypeOf(useBus()).toEqualTypeOf<ShopBus>()
    createApp({}).use(tidings(shopBus()))
  })

  it('types handlers by event type, pattern and *', () => {
    useEvent('order.placed', (data, envelope) => {
      expectTypeOf(data).toEqualTypeOf<{ orderId: string; total: number }>()
      expectTypeOf(envelope.type).toEqualTypeOf<'order.placed'>()
    })
    useEvent('order.*', (type) => expectTypeOf(type).toEqualTypeOf<'order.placed' | 'order.shipped'>())
    expectTypeOf(useEvent('*', () => {})).toEqualTypeOf<() => void>()
    // @ts-expect-error not a type of the catalog
    useEvent('order.lost', () => {})
    // @ts-expect-error the payload has no such field
    useEvent('order.shipped', (data) => data.total)
  })

  it('types emit, the last event and the history as refs', () => {
    const emit = useEmit()
    emit('order.shipped', { orderId: 'o' })
    // @ts-expect-error wrong payload
    emit('order.shipped', { id: 'o' })
    expectTypeOf(useLastEvent('order.shipped')).toEqualTypeOf<Readonly<ShallowRef<Envelope<'order.shipped', { orderId: string }> | undefined>>>()
    expectTypeOf(useHistory({ type: 'order.shipped' }).events.value).toEqualTypeOf<readonly Envelope<'order.shipped', { orderId: string }>[]>()
    const type = ref<'order.placed' | 'cart.cleared'>('order.placed')
    expectTypeOf(useHistory(() => ({ type: type.value })).events.value[0]!.type).toEqualTypeOf<'order.placed' | 'cart.cleared'>()
    // @ts-expect-error not a type of the catalog
    useHistory({ types: ['order.lost'] })
    expectTypeOf(useDeadLetters().entries.value).toEqualTypeOf<readonly DeadLetterEntry[]>()
  })
})

describe('composables follow the features of the bus', () => {
  it('has useHistory only with history() and useDeadLetters only with deadLetters()', () => {
    const kernelOnly = createTidingsComposables(createBus({ catalog }))
    // @ts-expect-error the bus was created without history()
    kernelOnly.useHistory()
    // @ts-expect-error the bus was created without deadLetters()
    kernelOnly.useDeadLetters()
    createTidingsComposables(createBus({ catalog }, history())).useHistory()
    createTidingsComposables(createBus({ catalog }, deadLetters())).useDeadLetters()
  })

  it('is untyped, as mitt, on a bus without a catalog', () => {
    const { useEvent } = createTidingsComposables(createBus())
    useEvent('anything', (data) => expectTypeOf(data).toEqualTypeOf<unknown>())
  })
})
