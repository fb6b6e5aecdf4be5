import type { CommandValues } from '@tidings/core'
import type { AppState } from './app-state'
import { deadLetterLabel } from './state/dlq-rows'
import type { RetainedEvent } from './state/retained-event'

type RetryResult = CommandValues['dlq.retry']

/**
 * Says what a retry did in words a user can act on, naming each entry (`nameOf`: how the page
 * names an entry id, e.g. its type, subscription and event; the id itself when unknown).
 */
export function describeRetry(result: RetryResult, nameOf: (id: string) => string | undefined = () => undefined): { ok: boolean; text: string } {
  const name = (id: string) => nameOf(id) ?? id
  const failed = result.failed.map((f) => `${name(f.id)}: ${f.error.message}`)
  if (failed.length === 0) {
    if (result.succeeded.length === 0) return { ok: false, text: 'Nothing was retried: the entries were already gone' }
    return { ok: true, text: result.succeeded.length === 1 ? `Retried ${name(result.succeeded[0]!)}: delivered this time` : `Retried ${result.succeeded.length}, all delivered: ${result.succeeded.map(name).join('; ')}` }
  }
  return { ok: false, text: `Retried ${result.succeeded.length + failed.length}, ${failed.length} failed again (${failed.join('; ')})` }
}

/**
 * The producer whose dead-letter queue holds this event for that subscription: the one that ran the
 * handler and gave up, which with a transport is often not the bus that emitted the event.
 */
export function deadLetterOwner(event: RetainedEvent, subscription: string): string {
  for (let i = event.deliveries.length - 1; i >= 0; i--) {
    const d = event.deliveries[i]!
    if (d.subscription === subscription && d.k === 'dead-lettered') return d.producer
  }
  return event.producer
}

/** The dead-letter entry holding this event for that subscription, looked up on the producer that holds it. */
async function deadLetterOf(app: AppState, producer: string, event: RetainedEvent, subscription: string) {
  const { entries } = await app.command(producer, 'dlq.list', { type: event.envelope.type, subscription })
  const entry = entries.find((e) => e.envelope.id === event.envelope.id)
  if (!entry) throw new Error('This event is no longer in the dead-letter queue (already retried or discarded?)')
  return entry
}

/**
 * Runs a dead-letter action from an event's detail and reports the outcome as a notice. Resolves
 * true when the bus acted: a retry's outcome then arrives as a new delivery step (delivered, or
 * dead-lettered again), and a discard as a 'discarded' step, both as the bus reports them.
 */
export async function actOnDeadLetter(app: AppState, event: RetainedEvent, subscription: string, action: 'retry' | 'discard', owner?: string): Promise<boolean> {
  const producer = owner ?? deadLetterOwner(event, subscription)
  try {
    const entry = await deadLetterOf(app, producer, event, subscription)
    if (action === 'retry') {
      const result = await app.command(producer, 'dlq.retry', { id: entry.id })
      const { ok, text } = describeRetry(result, (id) => (id === entry.id ? deadLetterLabel(entry) : undefined))
      app.notify(ok ? 'success' : 'error', text)
      return result.succeeded.length + result.failed.length > 0
    }
    const { discarded } = await app.command(producer, 'dlq.discard', { id: entry.id })
    app.notify(discarded ? 'success' : 'error', discarded ? 'Discarded the dead letter' : 'Nothing to discard: the entry was already gone')
    return discarded
  } catch (error) {
    app.notify('error', `${action === 'retry' ? 'Retry' : 'Discard'} failed: ${(error as Error).message}`)
    return false
  }
}
