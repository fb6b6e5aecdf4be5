import { createBus } from '@tidings/core'
import type { Bus } from '@tidings/core'
import { fileStore } from '@tidings/node'
import { catalog } from './catalog'
import type { ServiceEvents } from './catalog'

export type ServiceBus = Bus<ServiceEvents>

/**
 * The service's bus. Its event log and dead letters live in `dataDir`, so a restart keeps both:
 * dead letters can still be retried after a crash or a deploy.
 */
export function createServiceBus(dataDir: string): ServiceBus {
  // 'fsync': an append resolves once it is on disk, so an accepted order survives even a power cut.
  const store = fileStore({ dir: dataDir, durability: 'fsync' })
  return createBus({ catalog, source: '/node-service', store })
}
