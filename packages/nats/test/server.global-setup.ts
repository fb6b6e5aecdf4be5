import { causedBy, createBus, deadLetters, transport } from '@tidings/core'
import { natsTransport } from '@tidings/nats'
import type { TestProject } from 'vitest/node'
import { startNatsServer } from './support/nats-server'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A nats-server's WebSocket URL, and the stream and prefix a Node bus on it uses. */
    nats: { wsUrl: string; stream: string; subjectPrefix: string }
  }
}

/**
 * A nats-server with a WebSocket listener for the browser tests, and a bus in Node on it (over
 * TCP) that answers each 'ping' with a 'pong' caused by it.
 */
export default async function setup(project: TestProject) {
  const server = await startNatsServer()
  const scope = { stream: 'BROWSER', subjectPrefix: 'browser' }
  const bus = createBus({ source: '/node' }, transport(natsTransport({ servers: server.url, ...scope })), deadLetters())
  bus.on('ping', (data, envelope) => void bus.emit('pong', { echo: data, runtime: 'node' }, causedBy(envelope)))
  await bus.ready
  project.provide('nats', { wsUrl: server.wsUrl, ...scope })
  return async () => {
    await bus.close()
    await server.dispose()
  }
}
