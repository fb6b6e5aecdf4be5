import { TidingsError } from '@tidings/core'
import { wsconnect } from '@nats-io/nats-core'
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core'
import type { ResolvedOptions } from './options'

const isWebSocket = (url: string) => /^wss?:\/\//i.test(url)

// Kept out of bundlers' sight, so that a browser build of an app never pulls in Node's TCP client
// (node:net, node:tls); Node resolves it from this package's dependencies.
const NODE_CLIENT = '@nats-io/transport-node'

/**
 * Connects to the servers: over WebSocket for ws(s):// URLs, else over TCP with the Node client.
 * Once connected, the client keeps reconnecting unless the caller's connection options say otherwise.
 */
export const openConnection = async (options: ResolvedOptions): Promise<NatsConnection> => {
  // Async traces make every request build two Error objects with stacks, a fifth of a publish's
  // CPU time; failures reach the bus as TidingsErrors that say what was being done anyway.
  const settings: ConnectionOptions = { maxReconnectAttempts: -1, noAsyncTraces: true, ...options.connection, servers: options.servers }
  if (options.connect !== undefined) return options.connect(settings)
  const ws = options.servers.filter(isWebSocket).length
  if (ws > 0 && ws < options.servers.length) {
    throw new TidingsError('E_INVALID_ARGUMENT', 'natsTransport: servers mixes ws:// and nats:// URLs; give one kind (browsers need ws:// or wss://)', { details: { field: 'servers' } })
  }
  if (ws > 0) {
    // Without one, wsconnect waits forever instead of failing.
    if (typeof WebSocket === 'undefined') {
      throw new TidingsError('E_INVALID_ARGUMENT', 'natsTransport: ws:// servers need a global WebSocket (browsers, Node ≥ 22); in Node 20 set globalThis.WebSocket = (await import("ws")).WebSocket first, or use nats:// servers', { details: { field: 'servers' } })
    }
    return wsconnect(settings)
  }
  const { connect } = (await import(/* @vite-ignore */ NODE_CLIENT)) as typeof import('@nats-io/transport-node')
  return connect(settings)
}
