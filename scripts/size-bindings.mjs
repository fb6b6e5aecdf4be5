// What @tidings/react and @tidings/vue add to an app, on top of the bus: each app below is bundled
// twice, with the binding and without it (the same bus, the same events, its handlers subscribed
// by hand), and the difference is the binding's cost. As for the kernel (scripts/size-kernel.mjs),
// the packages are packed (`npm pack`, from their built dist: run `node scripts/setup.mjs` first)
// and unpacked outside the workspace, bundled with esbuild, minified, for production
// (process.env.NODE_ENV = "production"); react, vue and valibot are external (the app has them
// already). The bar: at most 1 KB gzip per binding. `--check` fails above it.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname
const BAR = 1024

/** The packed packages, unpacked into a scratch directory's node_modules: what a user installs. */
const installPacked = (packages) => {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-size-bindings-'))
  for (const name of packages) {
    const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir, `./packages/${name}`], { cwd: root, encoding: 'utf8' }))
    const target = join(dir, `node_modules/@tidings/${name}`)
    mkdirSync(target, { recursive: true })
    execFileSync('tar', ['-xzf', join(dir, filename), '-C', target, '--strip-components=1'])
  }
  mkdirSync(join(dir, 'app'))
  return dir
}

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

const gzipOf = async (lines, scratch) => {
  const result = await build({
    stdin: { contents: [...busLines, ...lines].join('\n'), resolveDir: join(scratch, 'app'), sourcefile: 'app.ts', loader: 'ts' },
    absWorkingDir: join(scratch, 'app'),
    // The packed packages first; the workspace's node_modules for their own dependencies.
    nodePaths: [join(scratch, 'node_modules'), join(root, 'node_modules')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    external: ['valibot', 'react', 'vue'],
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  })
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length
}

const scratch = installPacked(['core', 'react', 'vue'])
const rows = []
try {
  for (const app of apps) {
    const [withIt, withoutIt] = [await gzipOf(app.with, scratch), await gzipOf(app.without, scratch)]
    rows.push({ name: app.name, withIt, withoutIt, added: withIt - withoutIt })
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

const bytes = (n) => `${n.toLocaleString('en-US')} B`
console.log(`| app | without the binding (min+gzip) | with it | added | bar ${bytes(BAR)} |`)
console.log('|---|---:|---:|---:|---|')
for (const r of rows) console.log(`| ${r.name} | ${bytes(r.withoutIt)} | ${bytes(r.withIt)} | ${bytes(r.added)} | ${r.added <= BAR ? 'met' : 'OVER'} |`)

const over = rows.filter((r) => r.added > BAR)
if (process.argv.includes('--check') && over.length) {
  for (const r of over) console.error(`"${r.name}" adds ${bytes(r.added)} min+gzip on top of the bus, over the ${bytes(BAR)} bar.`)
  process.exit(1)
}
