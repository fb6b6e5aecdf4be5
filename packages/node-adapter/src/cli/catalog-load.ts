import { rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Catalog } from '@tidings/core'
import { CliError, usageError } from './exit-codes'

const TYPESCRIPT = /\.(c|m)?tsx?$/

const isCatalog = (value: unknown): value is Catalog =>
  typeof value === 'object' && value !== null && typeof (value as Catalog).get === 'function' &&
  (value as Catalog).definitions instanceof Map

/** esbuild from the user's project (where their catalog's dependencies are), else from ours. */
async function loadEsbuild(): Promise<typeof import('esbuild')> {
  try {
    const path = createRequire(join(process.cwd(), 'package.json')).resolve('esbuild')
    return (await import(pathToFileURL(path).href)) as typeof import('esbuild')
  } catch {
    try {
      return await import('esbuild')
    } catch {
      throw usageError('A TypeScript catalog needs esbuild to load (npm install -D esbuild), or point --catalog at its built .js file')
    }
  }
}

/**
 * Imports a TypeScript module through esbuild: bundled to a file beside it, so that its package
 * imports resolve from the project's own node_modules as they do for the app, then removed.
 */
async function importTypeScript(file: string): Promise<Record<string, unknown>> {
  const esbuild = await loadEsbuild()
  const outfile = join(dirname(file), `.${basename(file)}.tidings-${process.pid}.mjs`)
  const result = await esbuild.build({
    entryPoints: [file], bundle: true, write: false, outfile, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'silent',
  })
  await writeFile(outfile, result.outputFiles[0]!.text)
  try {
    return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>
  } finally {
    await rm(outfile, { force: true })
  }
}

/**
 * The catalog exported by `spec` (`path/to/module[#export]`): the named export, else `catalog`,
 * else the default export, else the module's only catalog.
 */
export async function loadCatalog(spec: string): Promise<Catalog> {
  const hash = spec.lastIndexOf('#')
  const path = resolve(hash > 0 ? spec.slice(0, hash) : spec)
  const name = hash > 0 ? spec.slice(hash + 1) : undefined
  let module: Record<string, unknown>
  try {
    module = TYPESCRIPT.test(path) ? await importTypeScript(path) : ((await import(pathToFileURL(path).href)) as Record<string, unknown>)
  } catch (error) {
    if (error instanceof CliError) throw error
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw usageError(`Cannot load the catalog module ${path}: ${message}`)
  }
  if (name !== undefined) {
    if (isCatalog(module[name])) return module[name]
    throw usageError(`${path} has no catalog exported as "${name}" (a defineCatalog() result)`)
  }
  const found = isCatalog(module.catalog) ? module.catalog : isCatalog(module.default) ? module.default : undefined
  if (found !== undefined) return found
  const catalogs = Object.entries(module).filter(([, value]) => isCatalog(value))
  if (catalogs.length === 1) return catalogs[0]![1] as Catalog
  throw usageError(catalogs.length === 0
    ? `${path} exports no catalog: export the defineCatalog() result (e.g. export const catalog = defineCatalog(…))`
    : `${path} exports several catalogs (${catalogs.map(([n]) => n).join(', ')}): pick one with --catalog ${spec}#name`)
}
