import { defineComponent, h, reactive } from 'vue'
import { useBus } from '../composables'
import { connectPrinter } from '../printer'
import { DeadLetters } from './DeadLetters'
import { OrderPad } from './OrderPad'
import { Pass } from './Pass'
import { Timeline } from './Timeline'

export const App = defineComponent({
  name: 'App',
  setup() {
    // The printer is not a view: it listens for the app's whole life, so it subscribes with bus.on itself.
    const { printer } = connectPrinter(useBus(), reactive({ fixed: false }))
    return () => [
      h('header', [h('h1', 'Tidings kitchen'), h('span', { class: 'muted' }, 'Vue + @tidings/vue')]),
      h('main', [h(OrderPad), h(Pass), h(Timeline), h(DeadLetters, { printer })]),
    ]
  },
})
