import { expect, it, vi } from 'vitest'
import { createBus } from './create-bus'

// mitt's own suite (packages/core/test/mitt-compat.test.ts), run against the kernel's createBus.
vi.mock('@tidings/core', async (original) => ({ ...(await original<object>()), createBus }))

await import('../../test/mitt-compat.test')

it('runs against the kernel', async () => {
  expect((await import('@tidings/core')).createBus).toBe(createBus)
})
