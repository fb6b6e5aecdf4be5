import { defineComponent, h, ref } from 'vue'
import { useEmit, useEvent } from '../composables'

interface Cooking {
  ticket: string
  dish: string
  table: number
}

/** The kitchen's pass: tickets being cooked, a "Ready" button each, and a note when a dish goes out. */
export const Pass = defineComponent({
  name: 'Pass',
  setup() {
    const emit = useEmit()
    const cooking = ref<Cooking[]>([])
    const served = ref<string>()
    // Subscribed once mounted, unsubscribed on unmount: no bus.off to remember.
    useEvent('ticket.ordered', ({ ticket, dish, table }) => void cooking.value.push({ ticket, dish, table }))
    useEvent('ticket.ready', function serve({ ticket, dish, table }) {
      cooking.value = cooking.value.filter((c) => c.ticket !== ticket)
      served.value = `Table ${table}: ${dish} is ready`
    })
    return () => h('section', { class: 'pass', 'aria-labelledby': 'pass-title' }, [
      h('h2', { id: 'pass-title' }, ['Cooking ', h('span', { class: 'count' }, String(cooking.value.length))]),
      served.value && h('p', { class: 'served', role: 'status' }, served.value),
      cooking.value.length === 0
        ? h('p', { class: 'empty' }, 'Nothing on the stove.')
        : h('ul', cooking.value.map((c) => h('li', { key: c.ticket }, [
          h('span', { class: 'mono' }, c.ticket),
          h('span', { class: 'name' }, `${c.dish} · table ${c.table}`),
          h('button', { onClick: () => emit('ticket.ready', c), 'aria-label': `${c.dish} for table ${c.table} is ready` }, 'Ready'),
        ]))),
    ])
  },
})
