import { createSSRApp, defineComponent, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { describe, expect, it, vi } from 'vitest'
import { createTidingsComposables, tidings } from '@tidings/vue'
import { listeners, shopBus } from './shop'
import type { ShopBus } from './shop'

const { useEvent, useEmit, useLastEvent, useHistory, useDeadLetters } = createTidingsComposables<ShopBus>()

const Page = defineComponent({
  setup() {
    useEvent('order.placed', () => {
      throw new Error('never called on the server')
    })
    const emit = useEmit()
    const last = useLastEvent('order.*')
    const { events, loading } = useHistory({ type: 'order.placed' })
    const { entries } = useDeadLetters()
    return () => h('main', { 'data-emit': typeof emit },
      `last=${last.value?.id ?? 'none'} history=${loading.value ? 'loading' : events.value.length} dead=${entries.value.length}`)
  },
})

describe('server rendering (vue/server-renderer)', () => {
  it('renders the initial state, subscribes to nothing, reads and emits nothing', async () => {
    const bus = shopBus()
    const before = listeners(bus)
    const read = vi.spyOn(bus, 'history')
    const list = vi.spyOn(bus.dlq, 'list')
    const subscribe = vi.spyOn(bus.dlq, 'subscribe')
    const emitted = vi.fn()
    bus.use((envelope, next) => {
      emitted(envelope)
      next(envelope)
    })
    const html = await renderToString(createSSRApp(Page).use(tidings(bus)))
    expect(html).toBe('<main data-emit="function">last=none history=loading dead=0</main>')
    expect(listeners(bus)).toBe(before)
    expect(read).not.toHaveBeenCalled()
    expect(list).not.toHaveBeenCalled()
    expect(subscribe).not.toHaveBeenCalled()
    expect(emitted).not.toHaveBeenCalled()
  })
})
