// What @tidings/core costs a browser user, per import combination (as nanostores budgets them):
// the package is packed (`npm pack`, from its built dist) and unpacked outside the workspace, and
// each app imports it by name, as a user does, bundled with esbuild, minified, for production
// (process.env.NODE_ENV = "production"), valibot external (an app validating payloads has it
// already). The package's "sideEffects": false lets the bundler drop every module an app does not
// use, so a row costs only the kernel and the features it imports.
// `--check` (the end of `npm test`) fails when a bundle outgrows its budget: a regression guard set
// just above today's figure. `target` is what the kernel issue asks for, reported beside it.
// `--analyze` lists what each bundle is made of.
import { analyzeMetafile } from 'esbuild'
import { bundleApp, withPacked } from './size/packed.mjs'

const core = '@tidings/core'

const app = (name, lines) => ({ name, contents: lines.join('\n') })

// A typed app: a catalog of one event, and the features it imports.
const typedApp = (name, imports, lines) => app(name, [
  `import * as v from 'valibot'`,
  `import { createBus, defineCatalog, defineEvent, ${imports} } from '${core}'`,
  "const catalog = defineCatalog(defineEvent('order.placed', { schema: v.object({ id: v.string() }) }))",
  ...lines,
])

const bundles = [
  {
    ...app('emit only: createBus() + on + emit', [
      `import { createBus } from '${core}'`,
      'const bus = createBus()',
      "bus.on('a', (data) => console.log(data))",
      "bus.emit('a', 1)",
    ]),
    budget: 4_800,
    target: 2048,
    // A bus without a catalog must not pay for payload validation.
    without: /valibot/,
  },
  {
    ...typedApp('typical: typed, retry, deadLetters, publish, metrics + middleware, a pattern, once, waitFor', 'deadLetters, metrics, publish, retry, waitFor', [
      "const bus = createBus({ catalog, source: '/shop' }, retry({ attempts: 3 }), deadLetters(), publish(), metrics())",
      'bus.use((e, next) => next(e))',
      "bus.on('order.*', (type, data) => console.log(type, data))",
      "bus.once('order.placed', (data) => console.log(data))",
      "waitFor(bus, 'order.placed').then(console.log)",
      "bus.publish('order.placed', { id: 'o' }).then((r) => console.log(r, bus.metrics(), bus.dlq))",
    ]),
    budget: 11_900,
    target: 5120,
  },
  {
    ...typedApp('standard(): every in-process feature, typed', 'standard', [
      'const bus = createBus({ catalog }, standard())',
      "bus.publish('order.placed', { id: 'o' }).then(console.log)",
    ]),
    budget: 13_100,
  },
]

const measure = async ({ name, contents }, scratch) => {
  const { min, gzip, metafile } = await bundleApp(scratch, name, contents, ['valibot'])
  // Modules that put bytes into the bundle (esbuild also lists modules it read and then dropped).
  const [output] = Object.values(metafile.outputs)
  const shipped = Object.entries(output.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path)
  return { min, gzip, metafile, shipped }
}

const args = new Set(process.argv.slice(2))
const results = await withPacked(['core'], async (scratch) => {
  const measured = []
  for (const bundle of bundles) measured.push({ ...bundle, ...(await measure(bundle, scratch)) })
  return measured
})

const bytes = (n) => `${n.toLocaleString('en-US')} B`
console.log('| bundle | min | min+gzip | budget (gzip) | target (kernel issue) |')
console.log('|---|---:|---:|---:|---:|')
for (const r of results) {
  const target = r.target === undefined ? 'reported' : `${bytes(r.target)}: ${r.gzip <= r.target ? 'met' : 'not met'}`
  console.log(`| ${r.name} | ${bytes(r.min)} | ${bytes(r.gzip)} | ${bytes(r.budget)} ${r.gzip <= r.budget ? 'met' : 'OVER'} | ${target} |`)
}
const leaks = results.filter((r) => r.without !== undefined && r.shipped.some((path) => r.without.test(path)))
for (const r of leaks) console.log(`"${r.name}" ships ${r.shipped.filter((path) => r.without.test(path)).join(', ')}: it must not.`)

if (args.has('--analyze')) {
  for (const r of results) console.log(`\n${r.name}:${await analyzeMetafile(r.metafile)}`)
}

const over = results.filter((r) => r.gzip > r.budget)
if (args.has('--check') && (over.length || leaks.length)) {
  for (const r of over) console.error(`Size budget exceeded: "${r.name}" is ${bytes(r.gzip)} min+gzip, over its ${bytes(r.budget)} budget by ${bytes(r.gzip - r.budget)}.`)
  console.error('Run `node scripts/size-kernel.mjs --analyze` to see which modules take the space.')
  process.exit(1)
}
