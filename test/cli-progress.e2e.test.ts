import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { DEVTOOLS_PROTOCOL_VERSION, decodeDevtoolsFrame, encodeDevtoolsFrame } from '@tidings/core'
import type { TrafficRecord } from '@tidings/core'
import { startDevtoolsHub } from '@tidings/node'
import type { DevtoolsHub } from '@tidings/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'

const root = fileURLToPath(new URL('..', import.meta.url))
// The example as users run it, against the built packages: scripts/setup.mjs builds both (npm test runs it first).
const main = join(root, 'examples/cli-progress/dist/main.js')

let dir: string
let hub: DevtoolsHub

/** What the hub kept of the traffic, as a page opened now would receive it. */
const backlog = (url: string) => new Promise<TrafficRecord[]>((resolve, reject) => {
  const ws = new WebSocket(url)
  ws.on('open', () => ws.send(encodeDevtoolsFrame({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'hello', role: 'viewer', backlog: true })))
  ws.on('message', (data: Buffer) => {
    const frame = decodeDevtoolsFrame(data.toString(), 'hub')
    if (frame.t !== 'backlog') return
    ws.close()
    resolve(frame.frames.flatMap((f) => f.records))
  })
  ws.on('error', reject)
})

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidings-cli-progress-'))
  hub = await startDevtoolsHub({ port: 0 })
})

afterAll(async () => {
  await hub?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the cli-progress example', () => {
  it('imports the valid rows, draws its progress and streams its events to devtools', async () => {
    const out = join(dir, 'imported.ndjson')
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [main, '--rows', '3000', '--latency-ms', '2', '--out', out], {
      env: { ...process.env, TIDINGS_DEVTOOLS: hub.url },
    })
    const [, imported, rejected] = /Imported ([\d,]+) customers into .*; rejected ([\d,]+) rows\./.exec(stdout)!.map((n) => Number(n.replace(/,/g, '')))
    expect(imported! + rejected!).toBe(3000)
    expect(rejected).toBeGreaterThan(0)
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(imported!)

    // Piped, the bar is printed as plain lines: start, at most one per 10 %, done.
    const lines = stderr.trim().split('\n')
    expect(lines[0]).toBe('customers started (3000)')
    expect(lines.at(-1)).toMatch(/100% 3000\/3000 .*done$/)

    const events = (await backlog(hub.wsUrl)).flatMap((r) => (r.k === 'emitted' ? [r.envelope] : []))
    expect(events.every((e) => e.source === '/cli-progress')).toBe(true)
    const types = events.map((e) => e.type)
    expect(types[0]).toBe('import.started')
    expect(types.at(-1)).toBe('import.completed')
    expect(types.filter((t) => t === 'customer.rejected')).toHaveLength(rejected!)
    expect(new Set(events.map((e) => e.correlationid)).size).toBe(1)
  }, 30_000)

  it('exits with 1 and says why when the file cannot be read', async () => {
    const run = promisify(execFile)(process.execPath, [main, '--file', join(dir, 'missing.csv')])
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('missing.csv') })
  })
})
