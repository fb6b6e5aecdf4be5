import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const core = fileURLToPath(new URL('../index.ts', import.meta.url))

/** Bytes each package contributes to a production bundle of `code`. */
async function bundleShares(code: string): Promise<Map<string, number>> {
  const result = await build({
    stdin: { contents: code, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true, write: false, metafile: true, minify: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'],
    define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'silent',
  })
  const shares = new Map<string, number>()
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'own'
      shares.set(pkg, (shares.get(pkg) ?? 0) + bytesInOutput)
    }
  }
  return shares
}

describe('a catalog of zod schemas', () => {
  it('bundles no valibot: validating, emitting and decoding go through ~standard', async () => {
    const shares = await bundleShares(`
      import { z } from 'zod'
      import { createBus, createCodec, defineCatalog, defineEvent } from ${JSON.stringify(core)}
      const catalog = defineCatalog(defineEvent('order.placed', { schema: z.object({ orderId: z.string() }) }))
      const bus = createBus({ catalog })
      export const decoded = createCodec(catalog).decode(JSON.stringify(bus.emit('order.placed', { orderId: 'o-1' })))
    `)
    expect(shares.get('zod')).toBeGreaterThan(0)
    expect(shares.get('valibot') ?? 0).toBe(0)
    expect(shares.get('@valibot/to-json-schema') ?? 0).toBe(0)
  }, 30_000)
})
