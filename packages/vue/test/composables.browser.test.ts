import { defineComponent, effectScope, h, nextTick, ref } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createBus } from '@tidings/core'
import { createTidingsComposables, tidings } from '@tidings/vue'
import { listeners, shopBus } from './shop'
import type { ShopBus } from './shop'

const { useEvent, useEmit, useLastEvent, useBus } = createTidingsComposables<ShopBus>()

const withBus = (bus: ShopBus) => ({ global: { plugins: [tidings(bus)] } })

const OrderCounter = defineComponent({
  props: { prefix: { type: String, required: true } },
  setup(props) {
    const seen = ref<string[]>([])
    // The handler reads the props at each call: a new prefix needs no new subscription.
    useEvent('order.placed', (order) => seen.value.push(`${props.prefix}${order.orderId}`))
    return () => h('p', seen.value.join(','))
  },
})

describe('useEvent()', () => {
  it('subscribes once on mount, handles each event once, and leaves no listener after unmount', async () => {
    const bus = shopBus()
    const before = listeners(bus)
    const wrapper = mount(OrderCounter, { props: { prefix: '#' }, ...withBus(bus) })
    expect(listeners(bus)).toBe(before + 1)
    bus.emit('order.placed', { orderId: 'o1', total: 1 })
    await nextTick()
    expect(wrapper.text()).toBe('#o1')
    wrapper.unmount()
    expect(listeners(bus)).toBe(before)
  })

  it('does not subscribe again when what the handler reads changes', async () => {
    const bus = shopBus()
    const on = vi.spyOn(bus, 'on')
    const wrapper = mount(OrderCounter, { props: { prefix: 'a:' }, ...withBus(bus) })
    await wrapper.setProps({ prefix: 'b:' })
    bus.emit('order.placed', { orderId: 'o2', total: 2 })
    await nextTick()
    expect(wrapper.text()).toBe('b:o2')
    expect(on).toHaveBeenCalledTimes(1)
  })

  it('ends with its effect scope outside a component', () => {
    const bus = createBus()
    const { useEvent: onBus } = createTidingsComposables(bus)
    const seen: unknown[] = []
    const scope = effectScope()
    scope.run(() => onBus('ping', (data) => seen.push(data)))
    bus.emit('ping', 1)
    scope.stop()
    bus.emit('ping', 2)
    expect(seen).toEqual([1])
    expect(listeners(bus)).toBe(0)
  })

  it('throws a TidingsError that says what to do when the app has no bus', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const Orphan = defineComponent({ setup: () => (useBus(), () => null) })
    expect(() => mount(Orphan)).toThrow(/app\.use\(tidings\(bus\)\)/)
  })
})

describe('useEmit() and useLastEvent()', () => {
  it('emits from a click and shows the last event of a pattern as a ref', async () => {
    const bus = shopBus()
    const Shop = defineComponent({
      setup() {
        const emit = useEmit()
        const last = useLastEvent('order.*')
        return () => h('button', { onClick: () => emit('order.placed', { orderId: 'o1', total: 5 }) }, last.value ? `${last.value.type} ${last.value.data.orderId}` : 'none')
      },
    })
    const wrapper = mount(Shop, withBus(bus))
    expect(wrapper.text()).toBe('none')
    await wrapper.get('button').trigger('click')
    expect(wrapper.text()).toBe('order.placed o1')
    bus.emit('order.shipped', { orderId: 'o1' })
    await nextTick()
    expect(wrapper.text()).toBe('order.shipped o1')
    await flushPromises()
  })
})
