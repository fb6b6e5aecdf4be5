import { defineComponent, h, ref } from 'vue'
import { useEmit } from '../composables'
import { DISHES, TABLES } from '../menu'

/** The waiter's pad: a table, then a dish; each tap emits ticket.ordered. */
export const OrderPad = defineComponent({
  name: 'OrderPad',
  setup() {
    const emit = useEmit()
    const table = ref<number>(TABLES[0])
    let next = 1
    const order = (dish: string) => emit('ticket.ordered', { ticket: `T${next++}`, dish, table: table.value })
    return () => h('section', { 'aria-labelledby': 'pad-title' }, [
      h('h2', { id: 'pad-title' }, 'Order'),
      h('label', { class: 'table' }, ['Table ', h('select', {
        'aria-label': 'Table',
        value: table.value,
        onChange: (e: Event) => (table.value = Number((e.target as HTMLSelectElement).value)),
      }, TABLES.map((t) => h('option', { value: t }, String(t))))]),
      h('ul', DISHES.map((dish) => h('li', { key: dish }, [
        h('span', { class: 'name' }, dish),
        h('button', { onClick: () => order(dish), 'aria-label': `Order ${dish}` }, 'Order'),
      ]))),
    ])
  },
})
