import * as v from 'valibot'
import { expect } from 'vitest'
import { TidingsError, createBus, defineCatalog, defineEvent } from '@tidings/core'
import type { Envelope } from '@tidings/core'

/**
 * The catalog the codec tests decode with. `order.placed` has had three payload versions:
 * v1 `{ orderId, amount }`, v2 added `currency`, v3 moved both into `total`.
 */
export const OrderPlaced = defineEvent('order.placed', {
  version: 3,
  schema: v.object({
    orderId: v.string(),
    total: v.object({ amount: v.number(), currency: v.string() }),
  }),
  upcast: {
    1: (old) => ({ ...old, currency: 'EUR' }),
    2: (old: { orderId: string; amount: number; currency: string }) => ({
      orderId: old.orderId,
      total: { amount: old.amount, currency: old.currency },
    }),
  },
})

export const UserSignedUp = defineEvent('user.signed_up', {
  schema: v.object({ userId: v.string(), email: v.pipe(v.string(), v.email()) }),
})

export const FileUploaded = defineEvent('file.uploaded', {
  schema: v.instance(Uint8Array),
})

export const catalog = defineCatalog(OrderPlaced, UserSignedUp, FileUploaded)

/** A valid v3 `order.placed` line as Tidings writes it. */
export const orderLine = (overrides: Record<string, unknown> = {}): string => JSON.stringify({
  specversion: '1.0', id: 'k3v9x2m7q1wz-1', source: '/shop', type: 'order.placed',
  time: '2025-03-14T09:26:53.589Z', dataversion: 3,
  data: { orderId: 'o-1', total: { amount: 12.5, currency: 'EUR' } },
  ...overrides,
})

/**
 * An envelope whose attributes a middleware broke after emit() checked them: what encode and
 * toCloudEvent must still refuse.
 */
export const tampered = (patch: Record<string, unknown>, type = 'a.b', data: unknown = 1): Envelope => {
  const bus = createBus({ source: '/s' })
  bus.use((e, next) => next({ ...e, ...patch } as Envelope))
  return bus.emit(type, data)
}

/** The TidingsError `fn` throws; fails the test when it throws something else or nothing. */
export const thrown = (fn: () => unknown): TidingsError => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(TidingsError)
    return error as TidingsError
  }
  throw new Error('expected a TidingsError, nothing was thrown')
}
