import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { cli } from './cli-helpers'

const root = fileURLToPath(new URL('../../..', import.meta.url))
// Inside the repository, so that the catalog modules' `valibot` and `zod` imports resolve as an app's do.
const dir = join(root, 'node_modules/.cache', `tidings-catalog-cli-${process.pid}`)
mkdirSync(dir, { recursive: true })
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const core = JSON.stringify(join(root, 'packages/core/src/index.ts'))

/** A catalog module: order.placed at `version` with `fields`, and its upcasters. */
const writeCatalog = (name: string, o: { version?: number; fields: string; upcast?: string }) => {
  const file = join(dir, name)
  writeFileSync(file, `import * as v from 'valibot'
import { defineCatalog, defineEvent } from ${core}
export const catalog = defineCatalog(defineEvent('order.placed', {
  version: ${o.version ?? 1},
  schema: v.object({ ${o.fields} }),
  examples: ${o.version === undefined ? "[{ orderId: 'o-1', amount: 5 }]" : '[]'},
  ${o.upcast ? `upcast: { ${o.upcast} },` : ''}
}))
`)
  return file
}

const v1 = 'orderId: v.string(), amount: v.number()'
const v2 = 'orderId: v.string(), amount: v.number(), currency: v.string()'
const snapshotFile = join(dir, 'catalog.snapshot.json')
const run = (action: string, catalog: string, ...rest: string[]) => cli(['catalog', action, '--catalog', catalog, '--snapshot', snapshotFile, ...rest])

// Each case spawns the CLI a few times, and loading a TypeScript catalog bundles it: seconds on a loaded machine.
describe('tidings catalog', { timeout: 60_000 }, () => {
  it('snapshots a TypeScript catalog and checks it unchanged', async () => {
    const written = await run('snapshot', writeCatalog('catalog.ts', { fields: v1 }))
    expect(written).toMatchObject({ code: 0, stderr: expect.stringContaining('1 type written') })
    expect(JSON.parse(readFileSync(snapshotFile, 'utf8'))).toMatchObject({
      types: { 'order.placed': { version: 1, versions: { 1: { vendor: 'valibot', examples: [{ orderId: 'o-1', amount: 5 }] } } } },
    })
    expect(await run('check', join(dir, 'catalog.ts'))).toMatchObject({ code: 0, stdout: '', stderr: expect.stringContaining('compatible with') })
  })

  it('fails a schema change without a version bump, one line per problem, and refuses to snapshot it', async () => {
    const changed = writeCatalog('changed.ts', { fields: v2 })
    const checked = await run('check', changed)
    expect(checked.code).toBe(1)
    expect(checked.stdout.split('\n')).toContain(
      'order.placed v1 currency: field added (required) without a version bump: restore the v1 schema, or set version: 2 with upcast[1] turning a v1 payload into a v2 one',
    )
    expect(checked.stderr).toMatch(/2 problems against/)
    const json = await run('check', changed, '--json')
    expect(json.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ kind: 'problem', code: 'schema-changed', type: 'order.placed', version: 1, path: 'currency' }),
      expect.objectContaining({ kind: 'problem', code: 'example-invalid' }),
    ])
    const before = readFileSync(snapshotFile, 'utf8')
    expect(await run('snapshot', changed)).toMatchObject({ code: 1, stderr: expect.stringContaining('not written') })
    expect(readFileSync(snapshotFile, 'utf8')).toBe(before)
  })

  it('fails a version bump whose upcaster output does not validate', async () => {
    const checked = await run('check', writeCatalog('bad-upcast.ts', { version: 2, fields: v2, upcast: '1: (old) => old' }))
    expect(checked.code).toBe(1)
    expect(checked.stdout).toMatch(/^order\.placed v1 currency: a v1 example upcast to v2 fails .*fix the upcasters from v1$/m)
  })

  it('passes a version bump with an upcaster, noting the snapshot is behind (failing with --strict) until snapshotted again', async () => {
    const bumped = writeCatalog('bumped.ts', { version: 2, fields: v2, upcast: "1: (old) => ({ ...old, currency: 'EUR' })" })
    expect(await run('check', bumped)).toMatchObject({ code: 0, stdout: expect.stringContaining('order.placed v2 -: v2 is not in the snapshot yet') })
    expect((await run('check', bumped, '--strict')).code).toBe(1)
    expect((await run('snapshot', bumped)).code).toBe(0)
    expect(await run('check', bumped, '--strict')).toMatchObject({ code: 0, stdout: '' })
  })

  it('fails golden events that no longer decode', async () => {
    const golden = join(dir, 'golden.ndjson')
    const event = (data: object) => JSON.stringify({ specversion: '1.0', id: 'g', source: '/shop', type: 'order.placed', dataversion: 1, data })
    writeFileSync(golden, `${event({ orderId: 'o-1', amount: 1 })}\n${event({ orderId: 'o-2' })}\n`)
    const checked = await run('check', join(dir, 'bumped.ts'), '--golden', golden)
    expect(checked.code).toBe(1)
    expect(checked.stdout).toMatch(/^order\.placed v1 amount: a golden event no longer decodes/m)
  })

  it('exits 2 on a bad command line, a missing snapshot or a module without a catalog', async () => {
    expect((await cli(['catalog', 'check'])).code).toBe(2)
    expect((await cli(['catalog', 'publish', '--catalog', 'x.ts'])).code).toBe(2)
    expect((await run('check', join(dir, 'bumped.ts'), '--force')).code).toBe(2)
    const none = await cli(['catalog', 'check', '--catalog', join(dir, 'bumped.ts'), '--snapshot', join(dir, 'none.json')])
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('tidings catalog snapshot') })
    const plain = join(dir, 'plain.mjs')
    writeFileSync(plain, 'export const answer = 42\n')
    expect(await run('check', plain)).toMatchObject({ code: 2, stderr: expect.stringContaining('exports no catalog') })
    expect(await run('check', join(dir, 'missing.ts'))).toMatchObject({ code: 2, stderr: expect.stringContaining('Cannot load the catalog module') })
  })
})
