// What the kernel and its features cost a browser user, per import combination (as nanostores
// budgets them): each bundled from the sources with esbuild, minified, for production
// (process.env.NODE_ENV = "production"), valibot external (an app validating payloads has it
// already), mitt bundled. `--check` fails when a bundle is over its budget; `--analyze` lists
// what each bundle is made of. Replaces scripts/size.mjs when the kernel becomes the main entry.
import { gzipSync } from 'node:zlib'
import { analyzeMetafile, build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname
const kernel = './packages/core/src/kernel/index.ts'
const features = './packages/core/src/features/index.ts'
const catalog = './packages/core/src/catalog.ts'

const app = (name, lines) => ({ name, contents: lines.join('\n') })

// A typed app: a catalog of one event, and the features it imports.
const typedApp = (name, imports, lines) => app(name, [
  `import * as v from 'valibot'`,
  `import { createBus } from '${kernel}'`,
  `import { ${imports} } from '${features}'`,
  `import { defineCatalog, defineEvent } from '${catalog}'`,
  "const catalog = defineCatalog(defineEvent('order.placed', { schema: v.object({ id: v.string() }) }))",
  ...lines,
])

const bundles = [
  {
    ...app('emit only: createBus() + on + emit', [
      `import { createBus } from '${kernel}'`,
      'const bus = createBus()',
      "bus.on('a', (data) => console.log(data))",
      "bus.emit('a', 1)",
    ]),
    budget: 2048,
  },
  {
    ...typedApp('typed: retry, deadLetters, publish, metrics + middleware, a pattern, once, waitFor', 'deadLetters, metrics, publish, retry, waitFor', [
      "const bus = createBus({ catalog, source: '/shop' }, retry({ attempts: 3 }), deadLetters(), publish(), metrics())",
      'bus.use((e, next) => next(e))',
      "bus.on('order.*', (type, data) => console.log(type, data))",
      "bus.once('order.placed', (data) => console.log(data))",
      "waitFor(bus, 'order.placed').then(console.log)",
      "bus.publish('order.placed', { id: 'o' }).then((r) => console.log(r, bus.metrics(), bus.dlq))",
    ]),
    budget: 5120,
  },
  {
    ...typedApp('standard(): every in-process feature, typed', 'standard', [
      "const bus = createBus({ catalog }, standard())",
      "bus.publish('order.placed', { id: 'o' }).then(console.log)",
    ]),
    budget: undefined,
  },
]

const measure = async ({ name, contents }) => {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: `${name}.ts`, loader: 'ts' },
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    external: ['valibot'],
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile, text: result.outputFiles[0].text }
}

const args = new Set(process.argv.slice(2))
const results = []
for (const bundle of bundles) results.push({ ...bundle, ...(await measure(bundle)) })

const bytes = (n) => `${n.toLocaleString('en-US')} B`
console.log('| bundle | min | min+gzip | budget (gzip) |')
console.log('|---|---:|---:|---:|')
for (const r of results) {
  const verdict = r.budget === undefined ? 'reported' : `${bytes(r.budget)} ${r.gzip <= r.budget ? 'met' : 'OVER'}`
  console.log(`| ${r.name} | ${bytes(r.min)} | ${bytes(r.gzip)} | ${verdict} |`)
}
const leaks = results.filter((r) => r.budget === 2048 && /valibot/.test(Object.keys(r.metafile.inputs).join()))
for (const r of leaks) console.log(`"${r.name}" bundles valibot: it must not.`)

if (args.has('--analyze')) {
  for (const r of results) console.log(`\n${r.name}:${await analyzeMetafile(r.metafile)}`)
}

const over = results.filter((r) => r.budget !== undefined && r.gzip > r.budget)
if (args.has('--check') && (over.length || leaks.length)) {
  for (const r of over) console.error(`Size budget exceeded: "${r.name}" is ${bytes(r.gzip)} min+gzip, over its ${bytes(r.budget)} budget by ${bytes(r.gzip - r.budget)}.`)
  console.error('Run `node scripts/size-kernel.mjs --analyze` to see which modules take the space.')
  process.exit(1)
}
