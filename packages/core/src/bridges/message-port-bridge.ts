import { TidingsError } from '@tidings/core'
import type { DeadLetterEntry, Envelope, Transport, TransportHost } from '@tidings/core'
import { BridgeCore } from './bridge-core'
import { typesMatcher } from './keys'
import { localNamed } from './local-named'
import type { LocalNamed } from './local-named'
import type { NamedDelivery } from './named-delivery'
import { listen } from './port'
import type { PortLike } from './port'
import { postFailure } from './post-failure'
import { WIRE, isWireMessage } from './wire'
import type { WireMessage } from './wire'

export interface MessagePortBridgeOptions {
  /** The types (or patterns) that travel through the ports; others stay here. Default: every type. */
  types?: readonly string[]
}

/** A bridge over one or more ports: a shared worker connects each page that opens it. */
export interface MessagePortBridge extends Transport {
  /** Adds a port; returns what disconnects it again. Events from one port are passed on to the others. */
  connect(port: PortLike): () => void
}

/**
 * One bus across a page and its workers, or across Node's worker_threads:
 * `createBus(options, transport(messagePortBridge(worker)), deadLetters())` on each side.
 * Events are posted as their CloudEvents JSON objects (structured clone, no string round trip)
 * and read through the receiving side's catalog. Named subscriptions are handled in the context
 * that has them.
 */
/* @__NO_SIDE_EFFECTS__ */
export function messagePortBridge(port?: PortLike, options: MessagePortBridgeOptions = {}): MessagePortBridge {
  const carries = typesMatcher(options.types)
  const core = new BridgeCore('messagePortBridge', true, carries)
  const ports = new Map<PortLike, (() => void) | undefined>()
  let host: TransportHost | undefined
  let delivery: NamedDelivery | undefined
  let named: LocalNamed | undefined
  let closed = false

  const report = (error: TidingsError) => host?.report(error)

  const send = (message: WireMessage, envelope: Envelope, except?: PortLike) => {
    for (const p of ports.keys()) {
      if (p === except) continue
      try {
        p.postMessage(message)
      } catch (error) {
        const failure = postFailure(error, envelope, 'a MessagePort')
        report(failure)
        // The same data fails on every port: one report is enough.
        if (failure.code === 'E_ENCODE') return
      }
    }
  }

  const start = (p: PortLike) => listen(p, {
    message(data) {
      if (!isWireMessage(data) || data.kind !== 'event' || data.from === core.id || closed) return
      const envelope = core.accept(data.event, `a MessagePort (bridge ${data.from})`)
      if (envelope === undefined) return
      // Passed on before it is delivered here, so that what handlers here emit in reply arrives after it.
      if (ports.size > 1) send(data, envelope, p)
      core.deliver(envelope)
      named!.handle(envelope)
    },
    messageerror: () => report(new TidingsError('E_DECODE', 'A message from a MessagePort could not be deserialized here (messageerror); it was not delivered')),
    close: () => disconnect(p),
  })

  const disconnect = (p: PortLike) => {
    ports.get(p)?.()
    ports.delete(p)
  }

  const connect = (p: PortLike) => {
    if (p === null || typeof p !== 'object' || typeof p.postMessage !== 'function') {
      throw new TidingsError('E_INVALID_ARGUMENT', 'messagePortBridge: expected a port with postMessage(): a MessagePort, a Worker, a worker\'s self, or a worker_threads port')
    }
    if (closed) throw new TidingsError('E_CLOSED', 'messagePortBridge: the bridge is closed; create a new one')
    if (!ports.has(p)) ports.set(p, host === undefined ? undefined : start(p))
    return () => disconnect(p)
  }

  if (port !== undefined) connect(port)

  return {
    ready: Promise.resolve(),
    ...(carries !== undefined && { carries }),
    connect,
    attach(h) {
      core.attach(h)
      host = h
      ;({ delivery, named } = localNamed(h))
      for (const p of ports.keys()) ports.set(p, start(p))
    },
    publish(envelope) {
      if (closed) return report(new TidingsError('E_CLOSED', `Event ${envelope.id} ("${envelope.type}") was emitted after the bridge closed; it stays here`, { details: { id: envelope.id, type: envelope.type } }))
      const event = core.local(envelope)
      named!.handle(envelope)
      if (event !== undefined) send({ w: WIRE, kind: 'event', from: core.id, event }, envelope)
    },
    async republish(entry: DeadLetterEntry) {
      // To its subscription while this context has it; else to the type's current subscribers here.
      if (!named?.redeliver(entry.subscription, entry.envelope)) host?.deliverBroadcast(entry.envelope, true)
    },
    flush: () => Promise.resolve(),
    async close() {
      if (closed) return
      closed = true
      for (const p of [...ports.keys()]) disconnect(p)
      await delivery?.close()
    },
  }
}
