// What both size scripts share: the packages as a user installs them (packed, unpacked outside the
// workspace) and an app bundled from them as a browser build for production.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = new URL('../..', import.meta.url).pathname

/**
 * Packs `packages/<name>` for each name (`npm pack`, from its built dist: `node scripts/setup.mjs`
 * rebuilds what is stale), unpacks each into a scratch directory's node_modules, runs `work(scratch)`
 * and removes the directory.
 */
export const withPacked = async (names, work) => {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-size-'))
  try {
    for (const name of names) {
      const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir, `./packages/${name}`], { cwd: root, encoding: 'utf8' }))
      const target = join(dir, `node_modules/@tidings/${name}`)
      mkdirSync(target, { recursive: true })
      execFileSync('tar', ['-xzf', join(dir, filename), '-C', target, '--strip-components=1'])
    }
    mkdirSync(join(dir, 'app'))
    return await work(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * `contents` (an app's source) bundled against the packed packages in `scratch` by esbuild:
 * minified, ESM, es2022, browser, `process.env.NODE_ENV` "production", `external` left out.
 * Returns the minified and the gzip (level 9) size, and esbuild's metafile.
 */
export const bundleApp = async (scratch, name, contents, external) => {
  const result = await build({
    stdin: { contents, resolveDir: join(scratch, 'app'), sourcefile: `${name}.ts`, loader: 'ts' },
    absWorkingDir: join(scratch, 'app'),
    // The packed packages first; the workspace's node_modules for their own dependencies.
    nodePaths: [join(scratch, 'node_modules'), join(root, 'node_modules')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    external,
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile }
}
