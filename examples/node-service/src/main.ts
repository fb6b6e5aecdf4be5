import type { AddressInfo } from 'node:net'
import { connectDevtools } from '@tidings/core'
import type { DevtoolsConnection } from '@tidings/core'
import { onShutdown } from '@tidings/node'
import WebSocket from 'ws'
import { createServiceBus, createServiceStore } from './bus'
import { loadConfig } from './config'
import { startFulfilment } from './fulfilment'
import { createApiServer } from './http-server'
import { Inventory } from './inventory'
import { createPaymentGateway } from './payment-gateway'
import { INITIAL_STOCK, PRODUCTS } from './products'
import { orderPush } from './push'
import { apiRoutes } from './routes'
import { shipPaidOrders } from './shipping'
import { reorderWhenLow } from './supplier'

const config = loadConfig()
const log = `[${config.name}]`
const store = createServiceStore(config)
const bus = createServiceBus(config, store)
// Failures with no caller to throw to: the store's (a locked directory, a full disk…), NATS's, logged.
bus.onError((error) => console.error(`${log} ${error.message}`))
bus.dlq.subscribe((entry) => {
  console.log(`${log} dead-lettered ${entry.envelope.type} (${entry.subscription}, ${entry.attempts} tries): ${entry.error.message}`)
})

const inventory = new Inventory(bus, Object.keys(PRODUCTS), INITIAL_STOCK)
reorderWhenLow(inventory, { quantity: 30, leadTimeMs: 4000 })
startFulfilment(bus, inventory, createPaymentGateway(config.paymentFailureRate, config.paymentLatencyMs))
shipPaidOrders(bus, config.packingMs)

// Node 20 has no global WebSocket: the `ws` package provides it. storeDir lets the devtools page
// (and `tidings dlq`) point at this service's file store.
const devtools: DevtoolsConnection | undefined = config.devtoolsUrl === undefined
  ? undefined
  : connectDevtools(bus, { url: config.devtoolsUrl, name: config.name, WebSocket, storeDir: config.dataDir,
    onError: (error) => console.error(`${log} ${error.message}`) })

// Dead letters from an earlier run are reloaded (and, with NATS, the connection made) before the
// service takes new work. If the store cannot open (another process holds it…), onError above has said why.
await bus.ready.catch(() => process.exit(1))
const push = orderPush(bus, store)
const server = createApiServer(bus, apiRoutes(bus, inventory), push)
server.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo
  const nats = config.natsUrl === undefined ? '' : `, sharing events through ${config.natsUrl}`
  console.log(`${log} listening on http://${config.host}:${port} (store: ${config.dataDir}${nats})`)
})

const stopServer = () => new Promise<void>((resolve) => {
  // Event streams never go idle: they are ended first, or close() would wait for them forever.
  push.close()
  server.close(() => resolve())
  server.closeIdleConnections()
})

// On SIGINT/SIGTERM, in this order: stop taking requests and finish those in flight; close the bus
// (pending retries are dead-lettered, the log and the DLQ are flushed to disk, events published
// to NATS); then send the last events to devtools.
onShutdown([
  stopServer,
  bus,
  ...(devtools ? [devtools] : []),
  () => console.log(`${log} stopped: every event is on disk`),
])
