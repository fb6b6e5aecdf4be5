// What @tidings/react and @tidings/vue add to an app, on top of the bus: each app below is bundled
// twice, with the binding and without it (the same bus, the same events, its handlers subscribed
// by hand), and the difference is the binding's cost. As for the kernel (scripts/size-kernel.mjs),
// the packages are packed (`npm pack`, from their built dist: run `node scripts/setup.mjs` first)
// and unpacked outside the workspace, bundled with esbuild, minified, for production
// (process.env.NODE_ENV = "production"); react, vue and valibot are external (the app has them
// already). The bar: at most 1 KB gzip per binding. `--check` fails above it.
import { bundleApp, withPacked } from './size/packed.mjs'

const BAR = 1024

// The bus every app creates: typed, with the features the list hooks read.
const busLines = [
  "import * as v from 'valibot'",
  "import { createBus, deadLetters, defineCatalog, defineEvent, history } from '@tidings/core'",
  "const catalog = defineCatalog(defineEvent('order.placed', { schema: v.object({ id: v.string() }) }))",
  'export const bus = createBus({ catalog }, history(), deadLetters())',
]

const apps = [
  {
    name: '@tidings/react: useEvent + useEmit',
    with: [
      "import { createElement as h } from 'react'",
      "import { createTidingsHooks } from '@tidings/react'",
      'const { useEvent, useEmit } = createTidingsHooks(bus)',
      "export function App() { const emit = useEmit(); useEvent('order.placed', (d) => console.log(d)); return h('button', { onClick: () => emit('order.placed', { id: 'o' }) }) }",
    ],
    without: [
      "bus.on('order.placed', (d) => console.log(d))",
      "bus.emit('order.placed', { id: 'o' })",
    ],
  },
  {
    name: '@tidings/react: every hook + TidingsProvider',
    with: [
      "import { createElement as h } from 'react'",
      "import { TidingsProvider, createTidingsHooks } from '@tidings/react'",
      'const { useEvent, useEmit, useLastEvent, useHistory, useDeadLetters } = createTidingsHooks()',
      'function Shop() {',
      "  const emit = useEmit(); useEvent('order.placed', (d) => console.log(d)); const last = useLastEvent('order.placed')",
      "  const { events } = useHistory({ type: 'order.placed' }); const { entries, retry } = useDeadLetters()",
      "  return h('button', { onClick: () => { emit('order.placed', { id: 'o' }); retry(entries[0].id) } }, last?.id, events.length)",
      '}',
      'export const App = () => h(TidingsProvider, { bus }, h(Shop))',
    ],
    without: [
      "bus.on('order.placed', (d) => console.log(d))",
      "bus.emit('order.placed', { id: 'o' })",
      "bus.history({ type: 'order.placed' }).then(console.log)",
      'bus.dlq.subscribe(console.log)',
      'bus.dlq.list().then((entries) => bus.dlq.retry(entries[0].id))',
    ],
  },
  {
    name: '@tidings/vue: useEvent + useEmit',
    with: [
      "import { createApp, h } from 'vue'",
      "import { createTidingsComposables } from '@tidings/vue'",
      'const { useEvent, useEmit } = createTidingsComposables(bus)',
      "createApp({ setup() { const emit = useEmit(); useEvent('order.placed', (d) => console.log(d)); return () => h('button', { onClick: () => emit('order.placed', { id: 'o' }) }) } }).mount('#app')",
    ],
    without: [
      "import { createApp, h } from 'vue'",
      "bus.on('order.placed', (d) => console.log(d))",
      "createApp({ setup() { return () => h('button', { onClick: () => bus.emit('order.placed', { id: 'o' }) }) } }).mount('#app')",
    ],
  },
  {
    name: '@tidings/vue: every composable + tidings() plugin',
    with: [
      "import { createApp, h } from 'vue'",
      "import { createTidingsComposables, tidings } from '@tidings/vue'",
      'const { useEvent, useEmit, useLastEvent, useHistory, useDeadLetters } = createTidingsComposables()',
      'const Shop = { setup() {',
      "  const emit = useEmit(); useEvent('order.placed', (d) => console.log(d)); const last = useLastEvent('order.placed')",
      "  const { events } = useHistory({ type: 'order.placed' }); const { entries, retry } = useDeadLetters()",
      "  return () => h('button', { onClick: () => { emit('order.placed', { id: 'o' }); retry(entries.value[0].id) } }, [last.value?.id, events.value.length])",
      '} }',
      "createApp(Shop).use(tidings(bus)).mount('#app')",
    ],
    without: [
      "import { createApp, h } from 'vue'",
      "bus.on('order.placed', (d) => console.log(d))",
      "bus.history({ type: 'order.placed' }).then(console.log)",
      'bus.dlq.subscribe(console.log)',
      "createApp({ setup() { return () => h('button', { onClick: () => { bus.emit('order.placed', { id: 'o' }); bus.dlq.list().then((e) => bus.dlq.retry(e[0].id)) } }) } }).mount('#app')",
    ],
  },
]

const gzipOf = async (lines, scratch) => (await bundleApp(scratch, 'app', [...busLines, ...lines].join('\n'), ['valibot', 'react', 'vue'])).gzip

const rows = await withPacked(['core', 'react', 'vue'], async (scratch) => {
  const measured = []
  for (const app of apps) {
    const [withIt, withoutIt] = [await gzipOf(app.with, scratch), await gzipOf(app.without, scratch)]
    measured.push({ name: app.name, withIt, withoutIt, added: withIt - withoutIt })
  }
  return measured
})

const bytes = (n) => `${n.toLocaleString('en-US')} B`
console.log(`| app | without the binding (min+gzip) | with it | added | bar ${bytes(BAR)} |`)
console.log('|---|---:|---:|---:|---|')
for (const r of rows) console.log(`| ${r.name} | ${bytes(r.withoutIt)} | ${bytes(r.withIt)} | ${bytes(r.added)} | ${r.added <= BAR ? 'met' : 'OVER'} |`)

const over = rows.filter((r) => r.added > BAR)
if (process.argv.includes('--check') && over.length) {
  for (const r of over) console.error(`"${r.name}" adds ${bytes(r.added)} min+gzip on top of the bus, over the ${bytes(BAR)} bar.`)
  process.exit(1)
}
