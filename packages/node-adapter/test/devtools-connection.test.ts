import { createBus, standard } from '@tidings/core'
import type { TidingsError } from '@tidings/core'
import { startDevtoolsHub } from '@tidings/node'
import { describe, expect, it, onTestFinished } from 'vitest'
import { hub, produce, until } from './devtools-helpers'

const FAST_RECONNECT = { initialMs: 20, maxMs: 50 }

/** A producer that records what it reports to onError. */
function producer(url: string) {
  const errors: TidingsError[] = []
  const connection = produce(createBus({ source: '/shop' }, standard()), url, { onError: (e) => errors.push(e), reconnect: FAST_RECONNECT })
  return { connection, errors }
}

describe('connectDevtools(): connection failures are visible', () => {
  it('reports a refused token through onError and stats(), and keeps trying', async () => {
    const h = await hub()
    const { connection, errors } = producer(h.url.replace(/token=.*/, 'token=not-the-token-it-printed'))
    await until(() => errors.length > 0, 3000, 'an error')
    expect(errors[0]).toMatchObject({ code: 'E_DEVTOOLS_CONNECTION', message: expect.stringMatching(/refused the token \(401\).*--token-file/) })
    expect(errors[0]!.message).not.toContain('not-the-token-it-printed')
    const stats = connection.stats()
    expect(stats.connected).toBe(false)
    expect(stats.error).toMatchObject({ code: 'E_DEVTOOLS_CONNECTION', details: { status: 401 }, at: expect.any(Number) })
    // Said once, not once per retry (several retries fit in this wait).
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(errors).toHaveLength(1)
    expect(connection.stats().connected).toBe(false)
  })

  it('reports an unreachable hub, then connects when it comes back on the same port and token', async () => {
    const first = await startDevtoolsHub({ port: 0 })
    const { port, token, url } = first
    await first.close()
    const { connection, errors } = producer(url)
    await until(() => connection.stats().error, 3000, 'a failure in stats()')
    expect(connection.stats()).toMatchObject({ connected: false, error: { details: { unreachable: true }, message: expect.stringMatching(/Nothing answers at ws:\/\/127\.0\.0\.1:\d+\/ws\?token=….*ECONNREFUSED/) } })
    expect(errors[0]!.code).toBe('E_DEVTOOLS_CONNECTION')

    const again = await startDevtoolsHub({ port, token })
    onTestFinished(() => again.close())
    await connection.connected
    expect(connection.stats().connected).toBe(true)
    expect(connection.stats().error).toBeUndefined()
  })

  it('says when the hub goes away while connected', async () => {
    const h = await startDevtoolsHub({ port: 0 })
    const { connection, errors } = producer(h.url)
    await connection.connected
    await h.close()
    await until(() => errors.length > 0, 3000, 'an error')
    expect(errors[0]!.message).toMatch(/closed the connection \(1001 hub shutting down\): this bus reconnects/)
    expect(connection.stats()).toMatchObject({ connected: false, error: { code: 'E_DEVTOOLS_CONNECTION' } })
  })

  it('is not connected once closed', async () => {
    const h = await hub()
    const { connection, errors } = producer(h.url)
    await connection.connected
    expect(connection.stats().connected).toBe(true)
    await connection.close()
    expect(connection.stats().connected).toBe(false)
    expect(errors).toEqual([])
  })
})
