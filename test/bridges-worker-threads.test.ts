import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { build } from 'esbuild'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { messagePortBridge } from '@tidings/core/bridges'
import { shop } from './bridges-shop'

const repo = fileURLToPath(new URL('..', import.meta.url))
let script: string
let worker: Worker | undefined

beforeAll(async () => {
  const out = await build({
    entryPoints: [fileURLToPath(new URL('./bridges-thread.worker.ts', import.meta.url))],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'error', absWorkingDir: repo, tsconfig: `${repo}/tsconfig.json`,
  })
  script = join(mkdtempSync(join(tmpdir(), 'tidings-thread-')), 'worker.mjs')
  writeFileSync(script, out.outputFiles[0]!.text)
}, 30_000)

afterEach(async () => {
  await worker?.terminate()
  worker = undefined
})

const until = async (check: () => boolean) => {
  const end = Date.now() + 5000
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('messagePortBridge() with worker_threads', () => {
  it('carries events to a worker thread and its replies back, causation and correlation kept', async () => {
    worker = new Worker(script)
    const main = shop('/main', messagePortBridge(worker))
    const placed = main.bus.emit('order.placed', { orderId: 'T-1234' }, { correlationid: 'batch-1' })
    await until(() => main.seen.some((s) => s.type === 'order.totaled'))
    expect(main.seen.map((s) => s.type)).toEqual(['order.placed', 'order.totaled'])
    expect(main.seen[1]).toMatchObject({ source: '/thread', causationid: placed.id, correlationid: 'batch-1', data: { orderId: 'T-1234', total: 60 } })
    await main.bus.close()
  })

  it('turns what structured clone cannot copy into E_ENCODE, and delivers the next events normally', async () => {
    worker = new Worker(script)
    const main = shop('/main', messagePortBridge(worker), undefined, { validate: false })
    main.bus.emit('cart.changed', new Proxy({ items: 1 }, {}))
    expect(main.errors).toHaveLength(1)
    expect(main.errors[0]!.code).toBe('E_ENCODE')
    expect(main.errors[0]!.message).toMatch(/structured clone refused its data/)
    main.bus.emit('order.placed', { orderId: 'T-2' })
    await until(() => main.seen.some((s) => s.type === 'order.totaled'))
    await main.bus.close()
  })

  it('stops using a worker that exited, without throwing on later emits', async () => {
    worker = new Worker(script)
    const main = shop('/main', messagePortBridge(worker))
    await worker.terminate()
    expect(() => main.bus.emit('order.placed', { orderId: 'T-3' })).not.toThrow()
    expect(main.seen.map((s) => s.type)).toEqual(['order.placed'])
    await main.bus.close()
  })
})
