// What @tidings/core costs a browser user: its main entry, and a bus used only for on/emit, each
// bundled from the sources, minified, with valibot external (an app validating payloads has it
// already) and mitt bundled (users pay for it). `--check` fails when a bundle outgrows its budget:
// a regression guard set a little above today's size. `target` is the size the core issue asked
// for, reported beside it: not met today, see BENCHMARKS.md for why. `--analyze` lists what each
// bundle is made of.
import { gzipSync } from 'node:zlib'
import { build, analyzeMetafile } from 'esbuild'

const root = new URL('..', import.meta.url).pathname
const entry = './packages/core/src/index.ts'

const bundles = [
  { name: 'main entry (all exports)', budget: 34_816, target: 4096, input: { entryPoints: [entry] } },
  {
    name: 'emit only (createBus + on/emit)',
    budget: 11_776,
    target: 1536,
    input: {
      stdin: {
        contents: `import { createBus } from '${entry}'\nconst bus = createBus()\nbus.on('a', (data) => console.log(data))\nbus.emit('a', 1)\n`,
        resolveDir: root,
        sourcefile: 'emit-only.ts',
        loader: 'ts',
      },
    },
  },
]

const measure = async ({ input }) => {
  const result = await build({
    ...input,
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    external: ['valibot'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile }
}

const args = new Set(process.argv.slice(2))
const results = []
for (const bundle of bundles) results.push({ ...bundle, ...(await measure(bundle)) })

const kb = (bytes) => `${bytes.toLocaleString('en-US')} B`
console.log('| bundle | min | min+gzip | budget (gzip) | target (gzip) |')
console.log('|---|---:|---:|---:|---:|')
for (const r of results) {
  console.log(`| ${r.name} | ${kb(r.min)} | ${kb(r.gzip)} | ${kb(r.budget)} ${r.gzip <= r.budget ? 'ok' : 'OVER'} | ${kb(r.target)} ${r.gzip <= r.target ? 'met' : 'not met'} |`)
}

if (args.has('--analyze')) {
  for (const r of results) console.log(`\n${r.name}:${await analyzeMetafile(r.metafile)}`)
}

const over = results.filter((r) => r.gzip > r.budget)
if (args.has('--check') && over.length) {
  for (const r of over) {
    console.error(`Size budget exceeded: "${r.name}" is ${kb(r.gzip)} min+gzip, over its ${kb(r.budget)} budget by ${kb(r.gzip - r.budget)}.`)
  }
  console.error('Run `node scripts/size.mjs --analyze` to see which modules take the space, then shrink them or keep them out of the tree-shaken path.')
  process.exit(1)
}
