import { defineComponent, h } from 'vue'
import type { PropType } from 'vue'
import { useDeadLetters } from '../composables'

/** Tickets the printer failed on: fix the printer, then retry them (re-delivered to print-ticket), or discard them. */
export const DeadLetters = defineComponent({
  name: 'DeadLetters',
  props: { printer: { type: Object as PropType<{ fixed: boolean }>, required: true } },
  setup(props) {
    const { entries, retry, discard } = useDeadLetters()
    return () => h('section', { class: 'dead-letters', 'aria-labelledby': 'dlq-title' }, [
      h('h2', { id: 'dlq-title' }, ['Dead letters ', h('span', { class: 'count' }, String(entries.value.length))]),
      h('label', { class: 'fix' }, [
        h('input', { type: 'checkbox', checked: props.printer.fixed, onChange: (e: Event) => (props.printer.fixed = (e.target as HTMLInputElement).checked) }),
        ' Printer fixed',
      ]),
      entries.value.length === 0
        ? h('p', { class: 'empty' }, 'Tickets the printer fails on wait here.')
        : h('ul', entries.value.map((entry) => h('li', { key: entry.id }, [
          h('div', { class: 'name' }, [h('div', `${entry.subscription} · ${entry.attempts} ${entry.attempts === 1 ? 'try' : 'tries'}`), h('div', { class: 'error' }, entry.error.message)]),
          h('button', { onClick: () => void retry(entry.id), 'aria-label': `Retry ${entry.id}` }, 'Retry'),
          h('button', { class: 'link', onClick: () => void discard(entry.id) }, 'Discard'),
        ]))),
    ])
  },
})
