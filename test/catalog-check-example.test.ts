import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { cli } from '../packages/node-adapter/test/cli-helpers'

// The node-service example's CI step (`npm run catalog:check`): its committed snapshot and golden
// events against its catalog as it is, with a breaking change, and with that change versioned.

const root = fileURLToPath(new URL('..', import.meta.url))
const example = join(root, 'examples/node-service')
const dir = join(root, 'node_modules/.cache', `tidings-catalog-example-${process.pid}`)
mkdirSync(dir, { recursive: true })
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// The example's catalog, reading @tidings/core from the sources so that no build is needed.
const source = readFileSync(join(example, 'src/catalog.ts'), 'utf8')
  .replace(`from '@tidings/core'`, `from ${JSON.stringify(join(root, 'packages/core/src/index.ts'))}`)

const TOTAL = 'total: v.pipe(v.number(), v.minValue(0)),'
const DESCRIPTION = `description: 'POST /orders accepted an order.',`

const check = (name: string, text: string) => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return cli(['catalog', 'check', '--catalog', file, '--snapshot', join(example, 'catalog.snapshot.json'), '--golden', join(example, 'golden')])
}

describe('examples/node-service: npm run catalog:check', { timeout: 60_000 }, () => {
  it('passes the catalog as committed', async () => {
    expect(source).toContain(TOTAL)
    expect(await check('as-committed.ts', source)).toMatchObject({ code: 0, stdout: '' })
  })

  it('fails when order.placed gains a required field without a version bump', async () => {
    const run = await check('breaking.ts', source.replace(TOTAL, `${TOTAL} currency: v.string(),`))
    expect(run.code).toBe(1)
    const lines = run.stdout.trim().split('\n')
    expect(lines[0]).toBe('order.placed v1 currency: field added (required) without a version bump: restore the v1 schema, or set version: 2 with upcast[1] turning a v1 payload into a v2 one')
    expect(lines).toContainEqual(expect.stringMatching(/^order\.placed v1 currency: a golden event no longer decodes/))
  })

  it('passes once the change is version 2 with an upcaster', async () => {
    const versioned = source
      .replace(TOTAL, `${TOTAL} currency: v.string(),`)
      .replace(DESCRIPTION, `${DESCRIPTION} version: 2, upcast: { 1: (old) => ({ ...old, currency: 'EUR' }) },`)
    const run = await check('versioned.ts', versioned)
    expect(run).toMatchObject({ code: 0, stdout: 'order.placed v2 -: v2 is not in the snapshot yet (it has v1): run tidings catalog snapshot and commit it\n' })
  })
})
