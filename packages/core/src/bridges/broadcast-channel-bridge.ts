import { TidingsError } from '@tidings/core'
import type { DeadLetterEntry, Envelope, NamedSubscription, Store, Transport, TransportHost } from '@tidings/core'
import { BridgeCore } from './bridge-core'
import { sharedCursor } from './cursor'
import { keyMatches, typesMatcher } from './keys'
import { Leadership, canElect } from './leadership'
import { LogPump } from './log-pump'
import { NamedDelivery } from './named-delivery'
import { postFailure } from './post-failure'
import { onPageLifecycle } from './page-lifecycle'
import { WIRE, isWireMessage } from './wire'
import type { WireMessage } from './wire'

export interface BroadcastChannelBridgeOptions {
  /**
   * The bus's own store, when the tabs share it (`indexedDBStore()` with one name): a tab that
   * takes over a named subscription resumes from the log where the previous one stopped, so
   * nothing accepted is lost in a hand-over; and an event is recorded once, by the tab that
   * emitted it. Without it, each tab records the events it receives, and events sent while no tab
   * leads a named subscription are not handled by it.
   */
  store?: Store
  /** The types (or patterns) that travel between tabs; others stay in the tab that emits them. Default: every type. */
  types?: readonly string[]
  /** How often a leader reads the shared log for events nobody announced (a tab that crashed mid-write). Default 1000 ms. */
  pollMs?: number
}

type Lead = { stop(): void }

/**
 * One bus across the same-origin tabs, frames and workers that open the same channel:
 * `createBus(options, transport(broadcastChannelBridge('shop', { store })), deadLetters())`.
 * Every tab's unnamed subscriptions get every event once; each named subscription is handled by
 * one tab, elected with the Web Locks API, and taken over by another when that tab closes,
 * crashes or is frozen.
 */
/* @__NO_SIDE_EFFECTS__ */
export function broadcastChannelBridge(name: string, options: BroadcastChannelBridgeOptions = {}): Transport {
  if (typeof name !== 'string' || name === '') {
    throw new TidingsError('E_INVALID_ARGUMENT', 'broadcastChannelBridge(name): name must be a non-empty string shared by the tabs, e.g. broadcastChannelBridge("shop")')
  }
  const { store } = options
  const carries = typesMatcher(options.types)
  const core = new BridgeCore('broadcastChannelBridge', store === undefined, carries)
  const startedAt = Date.now()
  const leads = new Map<string, Lead>()
  // Names this tab leads: the pump that feeds it from the shared log, or `true` (delivered as events arrive).
  const led = new Map<string, LogPump | true>()
  let subs = new Map<string, NamedSubscription>()
  let host: TransportHost | undefined
  let delivery: NamedDelivery
  let channel: BroadcastChannel | undefined
  let poll: ReturnType<typeof setInterval> | undefined
  let stopLifecycle: (() => void) | undefined
  let announcing = false
  let closed = false

  const report = (error: TidingsError) => host?.report(error)
  const inLog = (type: string) => store !== undefined && (host?.catalog?.get(type)?.persist ?? true)

  const post = (message: WireMessage, envelope?: Envelope) => {
    try {
      channel?.postMessage(message)
    } catch (error) {
      report(postFailure(error, envelope, `the "${name}" channel`))
    }
  }

  const kickAll = () => {
    for (const how of led.values()) if (how !== true) how.kick()
  }

  /** Named subscriptions this tab leads, for an event that does not come to them through the log. */
  const toLeader = (envelope: Envelope) => {
    if (led.size === 0 || inLog(envelope.type)) return
    for (const name of led.keys()) {
      const sub = subs.get(name)
      if (sub !== undefined && keyMatches(sub.key, envelope.type)) void delivery.deliver(sub, envelope)
    }
  }

  const startLeading = (sub: string) => (): (() => void) => {
    if (store === undefined) {
      led.set(sub, true)
      return () => led.delete(sub)
    }
    const cursor = sharedCursor(`tidings:${name}:${sub}:position`)
    const pump = new LogPump(store, () => subs.get(sub), cursor, startedAt, (s, e) => delivery.deliver(s, e), report)
    led.set(sub, pump)
    pump.kick()
    return () => {
      pump.stop()
      led.delete(sub)
    }
  }

  const lead = (sub: string): Lead => {
    if (canElect()) {
      return new Leadership(`tidings:${name}:${sub}`, startLeading(sub), (error) =>
        report(new TidingsError('E_TRANSPORT', `Could not request the Web Lock of named subscription "${sub}": ${String(error)}`, { cause: error, details: { subscription: sub } })))
    }
    report(new TidingsError('E_TRANSPORT', `This context has no Web Locks API: named subscription "${sub}" is handled here, and in every other context that subscribes it`, { details: { subscription: sub } }))
    return { stop: startLeading(sub)() }
  }

  const reconcile = () => {
    if (closed || host === undefined) return
    subs = new Map(host.subscriptions().map((s) => [s.name, s]))
    for (const [sub, l] of leads) {
      if (subs.has(sub)) continue
      l.stop()
      leads.delete(sub)
    }
    for (const sub of subs.keys()) if (!leads.has(sub)) leads.set(sub, lead(sub))
  }

  // A frozen tab cannot run handlers: it gives its leads up, and asks again when it resumes.
  const suspend = () => {
    for (const l of leads.values()) l.stop()
    leads.clear()
  }

  const announce = () => {
    announcing = false
    // Once this tab's events so far are in the shared log, the leaders (maybe this tab) read them.
    void store!.flush().then(() => {
      if (closed) return
      post({ w: WIRE, kind: 'logged', from: core.id })
      kickAll()
    })
  }

  const onMessage = (e: MessageEvent) => {
    const m: unknown = e.data
    if (!isWireMessage(m) || m.from === core.id || closed) return
    if (m.kind === 'logged') return kickAll()
    const envelope = core.receive(m.event, `another tab (bridge ${m.from} on "${name}")`)
    if (envelope !== undefined) toLeader(envelope)
  }

  const onMessageError = () =>
    report(new TidingsError('E_DECODE', `A message on the "${name}" channel could not be read in this tab (messageerror); it was not delivered`, { details: { channel: name } }))

  return {
    ready: Promise.resolve(),
    ...(carries !== undefined && { carries }),
    attach(h) {
      core.attach(h)
      host = h
      delivery = new NamedDelivery(h)
      if (typeof BroadcastChannel === 'undefined') {
        report(new TidingsError('E_TRANSPORT', 'broadcastChannelBridge: this context has no BroadcastChannel; events stay in it'))
      } else {
        channel = new BroadcastChannel(name)
        channel.addEventListener('message', onMessage)
        channel.addEventListener('messageerror', onMessageError)
      }
      if (store !== undefined) {
        poll = setInterval(kickAll, options.pollMs ?? 1000)
        ;(poll as { unref?: () => void }).unref?.()
      }
      stopLifecycle = onPageLifecycle(suspend, reconcile)
      h.onSubscriptionsChange(reconcile)
      reconcile()
    },
    publish(envelope) {
      if (closed) return report(new TidingsError('E_CLOSED', `Event ${envelope.id} ("${envelope.type}") was emitted after the bridge closed; it stays in this tab`, { details: { id: envelope.id, type: envelope.type } }))
      const event = core.local(envelope)
      toLeader(envelope)
      if (event !== undefined) post({ w: WIRE, kind: 'event', from: core.id, event }, envelope)
      if (store !== undefined && !announcing && inLog(envelope.type)) {
        announcing = true
        // After the kernel's own microtask, which hands this tick's events to the store.
        queueMicrotask(announce)
      }
    },
    async republish(entry: DeadLetterEntry) {
      // To its subscription where this tab has it (the tab retrying is the one a user looks at); else to this tab's subscribers.
      const sub = subs.get(entry.subscription)
      if (sub !== undefined && keyMatches(sub.key, entry.envelope.type)) void delivery.deliver(sub, entry.envelope)
      else host?.deliverBroadcast(entry.envelope, true)
    },
    flush: () => Promise.resolve(),
    async close() {
      if (closed) return
      closed = true
      suspend()
      clearInterval(poll)
      stopLifecycle?.()
      channel?.removeEventListener('message', onMessage)
      channel?.removeEventListener('messageerror', onMessageError)
      await delivery?.close()
      channel?.close()
    },
  }
}
