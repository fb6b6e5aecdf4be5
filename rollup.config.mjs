import { readFileSync } from 'node:fs'
import esbuild from 'rollup-plugin-esbuild'
import { dts } from 'rollup-plugin-dts'

// Each library package is built to ESM + CJS + bundled .d.ts; its dependencies stay external.
const libraries = [
  { dir: 'packages/core', modules: true, entries: { index: 'src/index.ts', indexeddb: 'src/indexeddb/index.ts', bridges: 'src/bridges/index.ts' } },
  { dir: 'packages/node-adapter', entries: { index: 'src/index.ts', cli: 'src/cli/main.ts' } },
  { dir: 'packages/nats', entries: { index: 'src/index.ts' } },
  { dir: 'packages/react', entries: { index: 'src/index.ts' } },
  { dir: 'packages/vue', entries: { index: 'src/index.ts' } },
]

const externalFor = (dir) => {
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'))
  // The package's own name too: a subpath entry (@tidings/core/indexeddb) imports the main entry
  // instead of bundling a second copy of it, so that `instanceof TidingsError` holds across both.
  const deps = [pkg.name, ...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })]
  return (id) => id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(`${d}/`))
}

// The core's ESM build keeps one file per source module: a bundler then drops every module an app
// does not reach ("sideEffects": false), so the installed package tree-shakes as well as the sources
// do. One bundled file would keep whatever its top level touches (valibot schemas, the codec).
const esm = (dir, entries, external) => ({
  input: Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, `${dir}/${entry}`])),
  external,
  plugins: [esbuild({ target: 'es2022' })],
  output: { dir: `${dir}/dist/esm`, format: 'es', preserveModules: true, preserveModulesRoot: `${dir}/src`, entryFileNames: '[name].js' },
})

export default libraries.flatMap(({ dir, entries, modules }) => {
  const external = externalFor(dir)
  return [...(modules ? [esm(dir, entries, external)] : []), ...Object.entries(entries).flatMap(([name, entry]) => [
    {
      input: `${dir}/${entry}`,
      external,
      plugins: [esbuild({ target: 'es2022' })],
      output: [
        ...(modules ? [] : [{ file: `${dir}/dist/${name}.js`, format: 'es' }]),
        { file: `${dir}/dist/${name}.cjs`, format: 'cjs' },
      ],
    },
    {
      input: `${dir}/${entry}`,
      external,
      plugins: [dts({ tsconfig: 'tsconfig.json' })],
      output: [
        { file: `${dir}/dist/${name}.d.ts`, format: 'es' },
        { file: `${dir}/dist/${name}.d.cts`, format: 'es' },
      ],
    },
  ])]
})
