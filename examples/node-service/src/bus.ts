import { createBus, standard, transport } from '@tidings/core'
import type { StandardBus, Store } from '@tidings/core'
import { fileStore } from '@tidings/node'
import { natsTransport } from '@tidings/nats'
import { catalog } from './catalog'
import type { ServiceEvents } from './catalog'
import type { Config } from './config'

export type ServiceBus = StandardBus<ServiceEvents>

/**
 * The service's bus. Its event log and dead letters live in `dataDir`, so a restart keeps both:
 * dead letters can still be retried after a crash or a deploy.
 *
 * With a nats-server, every instance's bus publishes its events to JetStream and receives the
 * others': the named subscriptions (reserve-stock, charge-payment) are shared, so each order is
 * handled once by one of the instances, and the events a killed instance had not finished are
 * redelivered to another after `natsAckWaitMs`. Each instance still needs its own `dataDir`.
 */
// 'fsync': an append resolves once it is on disk, so an accepted order survives even a power cut.
export const createServiceStore = (config: Config): Store => fileStore({ dir: config.dataDir, durability: 'fsync' })

export function createServiceBus(config: Config, store: Store = createServiceStore(config)): ServiceBus {
  const options = { catalog, source: '/node-service', store }
  if (config.natsUrl === undefined) return createBus(options, standard())
  return createBus(options, standard(), transport(natsTransport({ servers: config.natsUrl, ackWait: config.natsAckWaitMs, connection: { name: config.name } })))
}
