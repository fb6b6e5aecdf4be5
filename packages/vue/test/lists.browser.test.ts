import { defineComponent, h, nextTick, ref } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createBus, history } from '@tidings/core'
import { createTidingsComposables, tidings } from '@tidings/vue'
import { listeners, shopBus } from './shop'
import type { ShopBus } from './shop'

const { useHistory, useDeadLetters, useEvent } = createTidingsComposables<ShopBus>()

const withBus = (bus: ShopBus) => ({ global: { plugins: [tidings(bus)] } })

describe('useHistory()', () => {
  it('reads the history, again after each matching event, and again when a reactive query changes', async () => {
    const bus = shopBus()
    bus.emit('order.placed', { orderId: 'a', total: 1 })
    bus.emit('order.shipped', { orderId: 'a' })
    const type = ref<'order.placed' | 'order.shipped'>('order.placed')
    const History = defineComponent({
      setup() {
        const { events, loading } = useHistory(() => ({ type: type.value, limit: 2 }))
        return () => h('p', loading.value ? 'loading' : events.value.map((e) => `${e.type}:${e.data.orderId}`).join(','))
      },
    })
    const wrapper = mount(History, withBus(bus))
    expect(wrapper.text()).toBe('loading')
    await vi.waitFor(() => expect(wrapper.text()).toBe('order.placed:a'))
    bus.emit('order.placed', { orderId: 'b', total: 1 })
    bus.emit('order.placed', { orderId: 'c', total: 1 })
    await vi.waitFor(() => expect(wrapper.text()).toBe('order.placed:c,order.placed:b'))
    const before = listeners(bus)
    type.value = 'order.shipped'
    await vi.waitFor(() => expect(wrapper.text()).toBe('order.shipped:a'))
    expect(listeners(bus)).toBe(before)
    wrapper.unmount()
    expect(listeners(bus)).toBe(before - 1)
  })

  it('shows the error a read rejects with', async () => {
    const bus = createBus({}, history({ size: 0 }))
    const { useHistory: read } = createTidingsComposables(bus)
    const Failing = defineComponent({
      setup() {
        const { error } = read()
        return () => h('p', error.value ? (error.value as Error).message : 'ok')
      },
    })
    const wrapper = mount(Failing)
    await vi.waitFor(() => expect(wrapper.text()).toMatch(/create the bus with a store/))
  })
})

describe('useDeadLetters()', () => {
  const Queue = defineComponent({
    props: { fail: { type: Function, required: true } },
    setup(props) {
      useEvent('order.placed', function charge() {
        if (props.fail()) throw new Error('declined')
      })
      const { entries, retry, discard } = useDeadLetters()
      return () => h('ul', entries.value.map((entry) => h('li', { key: entry.id }, [
        `${entry.subscription}: ${entry.error.message}`,
        h('button', { class: 'retry', onClick: () => void retry(entry.id) }, 'retry'),
        h('button', { class: 'discard', onClick: () => void discard(entry.id) }, 'discard'),
      ])))
    },
  })

  it('lists a failed delivery as it is dead-lettered; a successful retry removes it', async () => {
    const bus = shopBus()
    let failing = true
    const wrapper = mount(Queue, { props: { fail: () => failing }, ...withBus(bus) })
    bus.emit('order.placed', { orderId: 'o', total: 1 })
    await vi.waitFor(() => expect(wrapper.text()).toContain('charge: declined'))
    failing = false
    await wrapper.get('button.retry').trigger('click')
    await vi.waitFor(() => expect(wrapper.findAll('li')).toHaveLength(0))
    expect(await bus.dlq.size()).toBe(0)
  })

  it('keeps an entry whose retry fails again, removes a discarded one, and stops listening on unmount', async () => {
    const bus = shopBus()
    const offs: Array<ReturnType<typeof vi.fn>> = []
    const subscribe = bus.dlq.subscribe.bind(bus.dlq)
    vi.spyOn(bus.dlq, 'subscribe').mockImplementation((listener) => {
      const off = vi.fn(subscribe(listener))
      offs.push(off)
      return off
    })
    const wrapper = mount(Queue, { props: { fail: () => true }, ...withBus(bus) })
    bus.emit('order.placed', { orderId: 'o', total: 1 })
    await vi.waitFor(() => expect(wrapper.text()).toContain('charge: declined'))
    await wrapper.get('button.retry').trigger('click')
    await vi.waitFor(async () => expect((await bus.dlq.list())[0]?.attempts).toBe(2))
    await flushPromises()
    expect(wrapper.findAll('li')).toHaveLength(1)
    await wrapper.get('button.discard').trigger('click')
    await vi.waitFor(() => expect(wrapper.findAll('li')).toHaveLength(0))
    wrapper.unmount()
    await nextTick()
    expect(offs).toHaveLength(1)
    expect(offs[0]).toHaveBeenCalledTimes(1)
  })
})
