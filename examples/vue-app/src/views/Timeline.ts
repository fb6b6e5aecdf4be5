import { defineComponent, h, ref } from 'vue'
import { useHistory, useLastEvent } from '../composables'

type Filter = 'ticket.ordered' | 'ticket.ready' | 'all'

const when = (time: string) => new Date(time).toLocaleTimeString()

/** The last event, and the recent ones from bus.history(): the query follows the filter. */
export const Timeline = defineComponent({
  name: 'Timeline',
  setup() {
    const filter = ref<Filter>('all')
    const last = useLastEvent('ticket.*')
    // A getter: a new filter is a new query (read again, re-subscribed), as is every matching event.
    const { events, error } = useHistory(() => (filter.value === 'all' ? { limit: 8 } : { type: filter.value, limit: 8 }))
    return () => h('section', { class: 'timeline', 'aria-labelledby': 'timeline-title' }, [
      h('h2', { id: 'timeline-title' }, 'Timeline'),
      h('p', { class: 'last' }, last.value ? `Last: ${last.value.type} ${last.value.data.ticket} (${last.value.data.dish})` : 'Last: nothing yet'),
      h('label', ['Show ', h('select', {
        value: filter.value,
        'aria-label': 'Show',
        onChange: (e: Event) => (filter.value = (e.target as HTMLSelectElement).value as Filter),
      }, [h('option', { value: 'all' }, 'all events'), h('option', { value: 'ticket.ordered' }, 'orders'), h('option', { value: 'ticket.ready' }, 'ready')])]),
      error.value ? h('p', { role: 'alert' }, String(error.value)) : null,
      h('ol', { class: 'events' }, events.value.map((e) => h('li', { key: e.id }, [
        h('span', { class: 'muted' }, when(e.time)),
        h('span', { class: `type ${e.type === 'ticket.ready' ? 'ready' : 'ordered'}` }, e.type),
        h('span', { class: 'name' }, `${e.data.ticket} ${e.data.dish} · table ${e.data.table}`),
      ]))),
    ])
  },
})
