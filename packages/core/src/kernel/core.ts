import type { Catalog } from '../catalog'
import type { Envelope } from '../envelope'
import type { TidingsError } from '../errors'
import type { Store } from '../store/types'
import type { HandlerMap } from '../types'
import type { Delivery } from './delivery'
import type { Dispatch, Parts } from './feature'
import type { createRegistry } from './registry'
import type { Slot } from './slot'

/**
 * What `createBus` hands its features: the kernel's own state and the hooks the feature host
 * (host.ts) fills in. Only the host reads it; a feature sees the `Kernel` the host builds from it.
 * The split keeps the host, and everything a feature needs, out of a bus that has no feature.
 */
export interface Core {
  readonly bus: object
  readonly all: HandlerMap
  readonly source: string
  readonly catalog: Catalog | undefined
  readonly store: Store | undefined
  readonly registry: ReturnType<typeof createRegistry>
  closed: boolean
  /** Errors reported so far (the `errors` gauge). */
  errors: number
  report(error: TidingsError): void
  slot(type: string): Slot
  /** Every dispatch here: specific handlers, then patterns, then '*'. */
  dispatchHere: Dispatch
  /** The next try of a delivery, in its event's causation context. */
  tryAgain(d: Delivery): void
  giveUp(d: Delivery, error: unknown): void
  /** What an emit does after middleware: `dispatchHere` until the host composes the phases. */
  sink: (envelope: Envelope, slot: Slot) => unknown
  /** Outcome steps and providers; empty on a bus without features. */
  delivered?: NonNullable<Parts['delivered']>
  failed?: NonNullable<Parts['failed']>
  gaveUp?: NonNullable<Parts['gaveUp']>
  retry?: Parts['retry']
  keep?: Parts['deadLetter']
  /** Called for each new slot (the host marks routed and strict types). */
  made?(slot: Slot): void
  /** Set by the host: after every feature is installed. */
  start?(): void
  flush?(): Promise<void>
  close?(): Promise<void>
}

/** The key under which a store made with `defineStore()` carries what installs its log on a bus. */
export const STORE_LOG: unique symbol = /* @__PURE__ */ Symbol.for('tidings.store-log')
