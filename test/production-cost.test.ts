import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)

// An app as its README shows it: the devtools client connected in development only.
const APP = (guard: string) => `import { connectDevtools, createBus, standard } from '@tidings/core'
const bus = createBus({ source: '/app' }, standard())
bus.on('greeting', (text) => console.log(text))
bus.emit('greeting', 'hello')
if (${guard}) connectDevtools(bus, { url: 'http://127.0.0.1:7420/?token=0123456789abcdef0123' })
`

/** What only the devtools client brings: its modules, and the JSON Schema converter its catalog uses. */
const DEVTOOLS = /@tidings\/core\/dist\/esm\/devtools\/|@valibot\/to-json-schema/

let app: string

/**
 * A scratch app outside the workspace with @tidings/core installed from its `npm pack` tarball
 * (what a user downloads, with its "files", "exports" and "sideEffects"), its dependencies linked
 * from the repository's node_modules so the test needs no network.
 */
beforeAll(async () => {
  if (!existsSync(join(root, 'packages/core/dist/esm/index.js'))) throw new Error('packages/core is not built: run node scripts/setup.mjs')
  app = mkdtempSync(join(tmpdir(), 'tidings-production-cost-'))
  const { stdout } = await run('npm', ['pack', join(root, 'packages/core'), '--pack-destination', app, '--json'], { cwd: app })
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }]
  const scope = join(app, 'node_modules/@tidings')
  mkdirSync(scope, { recursive: true })
  await run('tar', ['-xzf', join(app, filename), '-C', scope])
  const core = join(scope, 'core')
  await run('mv', [join(scope, 'package'), core])
  const { dependencies } = JSON.parse(readFileSync(join(core, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  for (const name of Object.keys(dependencies)) {
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true })
    symlinkSync(join(root, 'node_modules', name), join(app, 'node_modules', name))
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }))
  mkdirSync(join(app, 'src'))
  writeFileSync(join(app, 'src/esbuild-app.ts'), APP("process.env.NODE_ENV !== 'production'"))
  writeFileSync(join(app, 'src/vite-app.ts'), APP('import.meta.env.DEV'))
  writeFileSync(join(app, 'src/vite-env.d.ts'), '/// <reference types="vite/client" />\n')
  writeFileSync(join(app, 'index.html'), '<!doctype html><script type="module" src="/src/vite-app.ts"></script>\n')
}, 60_000)

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true })
})

/** esbuild with NODE_ENV defined as a webpack-style build does: the modules that put bytes into the bundle, and its code. */
async function esbuildApp(nodeEnv: 'production' | 'development') {
  const result = await build({
    entryPoints: [join(app, 'src/esbuild-app.ts')],
    absWorkingDir: app,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': JSON.stringify(nodeEnv) },
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const [output] = Object.values(result.metafile.outputs)
  return { modules: Object.entries(output!.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path), code: result.outputFiles[0]!.text }
}

/**
 * `vite build` as a user runs it (its own process: Vite reads NODE_ENV, which the test runner
 * sets to "test"); `development` as Vite documents it, NODE_ENV=development with --mode development.
 * The modules come from the source map.
 */
async function viteApp(mode: 'production' | 'development') {
  const outDir = join(app, `dist-${mode}`)
  const env = { ...process.env, NODE_ENV: mode === 'development' ? 'development' : undefined }
  await run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--mode', mode, '--sourcemap', '--outDir', outDir, '--logLevel', 'error'], { cwd: app, env })
  const assets = join(outDir, 'assets')
  const files = readdirSync(assets)
  const maps = files.filter((f) => f.endsWith('.js.map')).map((f) => JSON.parse(readFileSync(join(assets, f), 'utf8')) as { sources: string[] })
  return {
    modules: maps.flatMap((m) => m.sources),
    code: files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(assets, f), 'utf8')).join('\n'),
  }
}

describe('connectDevtools behind a development guard, bundled from the packed @tidings/core', { timeout: 60_000 }, () => {
  it.each([
    ["esbuild (process.env.NODE_ENV !== 'production')", esbuildApp],
    ['Vite (import.meta.env.DEV)', viteApp],
  ])('%s: none of the devtools client in production, all of it in development', async (_, bundle) => {
    const production = await bundle('production')
    const development = await bundle('development')
    expect(production.modules.filter((m) => DEVTOOLS.test(m))).toEqual([])
    expect(production.code).not.toContain('E_DEVTOOLS_CONNECTION')
    expect(development.modules).toContainEqual(expect.stringContaining('@tidings/core/dist/esm/devtools/connect.js'))
    expect(development.code).toContain('E_DEVTOOLS_CONNECTION')
    // The bus itself is in both: the guard removed the devtools client, not the app.
    expect(production.modules).toContainEqual(expect.stringContaining('@tidings/core/dist/esm/kernel/'))
  })
})
