import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBus, deadLetters, history as historyOf, isTidingsError } from '@tidings/core'
import { fileStore } from '@tidings/node'
import { buildChild, startChild as startChildIn } from './file-store-child-process'
import { until } from './devtools-helpers'

let work: string
let script: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tidings-crash-'))
  script = await buildChild(work)
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

const startChild = (dir: string, round: number, mode: 'write' | 'hold' | 'bus') => startChildIn(script, dir, round, mode)

describe('fileStore() killed with SIGKILL', () => {
  it('keeps every acknowledged event and dead letter, and reads nothing corrupt, over rounds of kills at random moments', async () => {
    const dir = join(work, 'kills')
    const acked = new Set<string>()
    const put = new Set<string>()
    const deleting = new Set<string>()
    const deleted = new Set<string>()
    let lastPosition = 0
    for (let round = 1; round <= 5; round++) {
      const { child, lines, ready, exited } = startChild(dir, round, 'write')
      await ready
      // The kill lands at a random moment after the first acknowledgement, however loaded the
      // machine is: a fixed delay after 'ready' sometimes killed a child that had written nothing.
      await until(() => lines.some((l) => l.startsWith('ack')), 10_000, `round ${round}'s first acknowledgement`)
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 240))
      child.kill('SIGKILL')
      await exited
      for (const line of lines) {
        const [kind, ...ids] = line.split(' ')
        if (kind === 'ack') for (const id of ids) acked.add(id)
        if (kind === 'put') put.add(ids[0]!)
        if (kind === 'deleting') deleting.add(ids[0]!)
        if (kind === 'del') deleted.add(ids[0]!)
      }
      expect(lines.filter((l) => l.startsWith('ack')).length, `round ${round} acknowledged nothing`).toBeGreaterThan(0)

      // Opening recovers the log and takes over the dead child's lock.
      const store = fileStore({ dir })
      const seen = new Set<string>()
      let previous = 0
      for await (const { position, envelope } of store.read()) {
        expect(position).toBeGreaterThan(previous)
        expect(seen.has(envelope.id)).toBe(false)
        expect(envelope.type).toBe('crash.tick')
        expect(envelope.data).toMatchObject({ round: expect.any(String), i: expect.any(Number), j: expect.any(Number) })
        previous = position
        seen.add(envelope.id)
      }
      expect(previous).toBeGreaterThanOrEqual(lastPosition)
      lastPosition = previous
      for (const id of acked) expect(seen.has(id), `acknowledged event ${id} is missing after round ${round}`).toBe(true)
      expect(await store.count()).toBe(seen.size)
      const dead = new Set((await store.listDeadLetters()).map((e) => e.id))
      for (const id of put) if (!deleting.has(id)) expect(dead.has(id), `acknowledged dead letter ${id} is missing`).toBe(true)
      for (const id of deleted) expect(dead.has(id), `deleted dead letter ${id} came back`).toBe(false)
      await store.close()
    }
  }, 30_000)

  it('restarts a bus with every event and dead letter that flush() acknowledged', async () => {
    const dir = join(work, 'bus')
    const acked: string[] = []
    const dead: string[] = []
    for (let round = 1; round <= 3; round++) {
      const { child, lines, ready, exited } = startChild(dir, round, 'bus')
      await ready
      await new Promise((resolve) => setTimeout(resolve, 60 + Math.random() * 200))
      child.kill('SIGKILL')
      await exited
      for (const line of lines) {
        const [kind, ...ids] = line.split(' ')
        if (kind === 'ack') acked.push(...ids)
        if (kind === 'put') dead.push(ids[0]!)
      }
      const bus = createBus({ store: fileStore({ dir }) }, deadLetters(), historyOf())
      await bus.ready
      const history = new Set((await bus.history({ order: 'asc', limit: Infinity })).map((e) => e.id))
      for (const id of acked) expect(history.has(id), `acknowledged event ${id} is missing after round ${round}`).toBe(true)
      const entries = new Set((await bus.dlq.list()).map((e) => e.id))
      for (const id of dead) expect(entries.has(id), `acknowledged dead letter ${id} is missing after round ${round}`).toBe(true)
      await bus.close()
    }
    expect(dead.length).toBeGreaterThan(0)
  }, 30_000)

  it('stays locked while its owner runs, can be read meanwhile, and opens once the owner is killed', async () => {
    const dir = join(work, 'lock')
    const writer = fileStore({ dir })
    await writer.append([])
    await writer.close()
    const { child, ready, exited } = startChild(dir, 0, 'hold')
    await ready
    const blocked = fileStore({ dir })
    const error = await blocked.ready.then(() => undefined, (e: unknown) => e)
    expect(isTidingsError(error, 'E_STORAGE_LOCKED')).toBe(true)
    expect((error as Error).message).toContain(String(child.pid))
    const reader = fileStore({ dir, readOnly: true })
    expect(await reader.count()).toBe(0)
    await reader.close()
    child.kill('SIGKILL')
    await exited
    const store = fileStore({ dir })
    await expect(store.ready).resolves.toBeUndefined()
    await store.close()
  })
})
