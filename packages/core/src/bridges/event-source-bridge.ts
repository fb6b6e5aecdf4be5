import { TidingsError } from '@tidings/core'
import type { DeadLetterEntry, Transport, TransportHost } from '@tidings/core'
import { BridgeCore } from './bridge-core'
import { typesMatcher } from './keys'
import { localNamed } from './local-named'
import type { LocalNamed } from './local-named'
import type { NamedDelivery } from './named-delivery'
import { Upstream } from './upstream'

/** What a server sends when it cannot resume after the browser's Last-Event-ID (the event is no longer in its log). */
export const SSE_GAP_EVENT = 'tidings.gap'

export interface EventSourceBridgeOptions {
  /** Types (or patterns) of events emitted here that are POSTed to `url` as well (validated there). Default: none. */
  upstream?: readonly string[]
  /** Send cookies to another origin (EventSource `withCredentials`, fetch `credentials: 'include'`). */
  withCredentials?: boolean
  /** Headers of the upstream POST, e.g. a CSRF token. */
  headers?: Record<string, string>
  /** Another EventSource implementation (a polyfill, or a test's). */
  EventSource?: new (url: string, init?: EventSourceInit) => EventSource
  /** Another fetch, for the upstream POST. */
  fetch?: typeof fetch
}

/**
 * Feeds a server's event stream (`sseEndpoint()` from `@tidings/node`) into a bus in the page:
 * `createBus(options, transport(eventSourceBridge('/events')), deadLetters())`. The browser
 * reconnects by itself and the server resumes after the last event it got, from its log.
 * Events emitted here stay here, unless their type is in `upstream`.
 */
/* @__NO_SIDE_EFFECTS__ */
export function eventSourceBridge(url: string, options: EventSourceBridgeOptions = {}): Transport {
  if (typeof url !== 'string' || url === '') throw new TidingsError('E_INVALID_ARGUMENT', 'eventSourceBridge(url): url must be the server\'s event stream, e.g. eventSourceBridge("/events")')
  const core = new BridgeCore('eventSourceBridge', true, undefined)
  const sendsUp = options.upstream === undefined ? undefined : typesMatcher(options.upstream)
  const via = `the server at ${url}`
  let host: TransportHost | undefined
  let source: EventSource | undefined
  let delivery: NamedDelivery | undefined
  let named: LocalNamed | undefined
  let upstream: Upstream | undefined
  let offline = false
  let closed = false
  let opened!: () => void
  // Settles at the first answer, open or not: an unreachable server must not keep bus.ready waiting.
  const ready = new Promise<void>((resolve) => (opened = resolve))

  const report = (error: TidingsError) => host?.report(error)

  const onMessage = (e: MessageEvent<string>) => {
    const envelope = core.receive(e.data, via, e.lastEventId)
    if (envelope !== undefined) named!.handle(envelope)
  }

  const onGap = (e: MessageEvent<string>) =>
    report(new TidingsError('E_TRANSPORT', `${via} could not resume after event ${e.lastEventId || '(none)'}: it is no longer in its log, so events sent while this page was disconnected may be missing`, { details: { url, data: e.data } }))

  const onOpen = () => {
    offline = false
    opened()
  }

  const onError = () => {
    opened()
    if (source?.readyState === 2) {
      report(new TidingsError('E_TRANSPORT', `${via} closed the event stream for good (an HTTP error, or not text/event-stream); events from it stop until the page creates a new bridge`, { details: { url } }))
    } else if (!offline) {
      offline = true
      report(new TidingsError('E_TRANSPORT', `Lost the event stream from ${via}; the browser reconnects and the server resumes after the last event received`, { details: { url } }))
    }
  }

  return {
    ready,
    attach(h) {
      core.attach(h)
      host = h
      ;({ delivery, named } = localNamed(h))
      const credentials = options.withCredentials ? 'include' : 'same-origin'
      if (sendsUp !== undefined) upstream = new Upstream({ url, headers: options.headers, credentials, fetch: options.fetch ?? globalThis.fetch.bind(globalThis) }, report)
      const ES = options.EventSource ?? globalThis.EventSource
      if (ES === undefined) {
        opened()
        return report(new TidingsError('E_TRANSPORT', 'eventSourceBridge: this context has no EventSource; pass one as the EventSource option'))
      }
      source = new ES(url, { withCredentials: options.withCredentials === true })
      source.addEventListener('message', onMessage)
      source.addEventListener(SSE_GAP_EVENT, onGap as EventListener)
      source.addEventListener('open', onOpen)
      source.addEventListener('error', onError)
    },
    publish(envelope) {
      if (closed) return report(new TidingsError('E_CLOSED', `Event ${envelope.id} ("${envelope.type}") was emitted after the bridge closed; it stays in this page`, { details: { id: envelope.id, type: envelope.type } }))
      const event = core.local(envelope)
      named!.handle(envelope)
      if (event !== undefined && sendsUp?.(envelope.type)) upstream!.push(event)
    },
    async republish(entry: DeadLetterEntry) {
      if (!named?.redeliver(entry.subscription, entry.envelope)) host?.deliverBroadcast(entry.envelope, true)
    },
    flush: () => upstream?.flush() ?? Promise.resolve(),
    async close() {
      if (closed) return
      closed = true
      source?.close()
      source?.removeEventListener('message', onMessage)
      await Promise.allSettled([upstream?.flush(), delivery?.close()])
    },
  }
}
