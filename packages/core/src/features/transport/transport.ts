import { asTidingsError } from '../../error-info'
import { TidingsError, isTidingsError } from '../../errors'
import { checkStrict } from '../../kernel/check-strict'
import { defineFeature } from '../../kernel/host'
import type { Feature, FeatureApi } from '../../kernel/types'
import { backoffDelay, willRetry } from '../../retry'
import type { Transport, TransportHost } from '../../transport'

/** transport() adds no API. */
export interface TransportApi extends FeatureApi {
  readonly api: object
}

/**
 * Carries events between processes (e.g. `natsTransport()` from `@tidings/nats`): `emit` hands
 * the types it carries to the transport, and subscriptions get them as they come back (unnamed
 * ones every event, each named one once per name across instances). Needs deadLetters(): a
 * delivery the transport gives up on becomes a dead letter.
 */
/* @__NO_SIDE_EFFECTS__ */
export function transport(t: Transport): Feature<TransportApi, 'dlq'> {
  return defineFeature((kernel) => {
    const host: TransportHost = {
      source: kernel.source,
      catalog: kernel.catalog,
      subscriptions: () => [...kernel.named].map(([name, w]) => {
        const p = kernel.policyOf(w)
        return {
          key: w.sub!.key,
          name,
          attempts: p?.attempts ?? 0,
          retryDelay: (error: unknown, attempt: number) => (p !== undefined && willRetry(p, error, attempt) ? backoffDelay(p, attempt) : undefined),
        }
      }),
      onSubscriptionsChange: kernel.onNamedChange,
      deliverBroadcast: (envelope, own) => kernel.arrive(envelope, own === true),
      async deliverTo(name, envelope, attempt = 1) {
        const h = kernel.named.get(name)
        const kind = h === undefined ? undefined : kernel.kindOf(h, envelope.type)
        if (kind === undefined) {
          throw new TidingsError('E_DLQ_NOT_FOUND', `No subscription named "${name}" matches "${envelope.type}" in this process`, { details: { name, type: envelope.type } })
        }
        const p = kernel.policyOf(h!)
        await kernel.deliverOnce(h!, kind, envelope, attempt, (d, error) => p !== undefined && willRetry(p, error, d.attempt))
      },
      deadLetter: (envelope, subscription, attempts, error) => kernel.deadLetter(envelope, subscription, attempts, error),
      report(error) {
        // An event the transport had to drop was emitted here and is lost: the next flush() says so.
        if (isTidingsError(error, 'E_TRANSPORT_OVERFLOW')) kernel.lost(1, error)
        kernel.report(error)
      },
    }
    return {
      // Carried as JSON: refused at emit if JSON cannot carry it (the route marks such types strict).
      check: checkStrict,
      route: {
        carries: (type) => t.carries?.(type) ?? true,
        publish(envelope) {
          try {
            t.publish(envelope)
          } catch (error) {
            // The contract says publish never throws; if one does, the event is lost and said to be, and emit goes on.
            const failure = asTidingsError(error, 'E_TRANSPORT', `The transport could not take "${envelope.type}" ${envelope.id}`)
            kernel.lost(1, failure)
            kernel.report(failure)
          }
        },
        republish: (entry) => t.republish(entry),
      },
      start: () => t.attach(host),
      ready: t.ready,
      flush: () => t.flush(),
      close: () => t.close(),
    }
  })
}
