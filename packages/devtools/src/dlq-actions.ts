import type { CommandValues } from '@tidings/core'
import type { AppState } from './app-state'
import type { RetainedEvent } from './state/retained-event'

type RetryResult = CommandValues['dlq.retry']

/** Says what a retry did in words a user can act on. */
export function describeRetry(result: RetryResult): { ok: boolean; text: string } {
  const failed = result.failed.map((f) => `${f.id}: ${f.error.message}`)
  if (failed.length === 0) {
    return { ok: true, text: result.succeeded.length === 1 ? 'Retried: delivered this time' : `Retried ${result.succeeded.length}: all delivered` }
  }
  return { ok: false, text: `Retried ${result.succeeded.length + failed.length}, ${failed.length} failed again (${failed.join('; ')})` }
}

/** The dead-letter entry holding this event for that subscription, looked up on its producer. */
async function deadLetterOf(app: AppState, event: RetainedEvent, subscription: string) {
  const { entries } = await app.command(event.producer, 'dlq.list', { type: event.envelope.type, subscription })
  const entry = entries.find((e) => e.envelope.id === event.envelope.id)
  if (!entry) throw new Error('This event is no longer in the dead-letter queue (already retried or discarded?)')
  return entry
}

/** Runs a dead-letter action from an event's detail and reports the outcome as a notice. */
export async function actOnDeadLetter(app: AppState, event: RetainedEvent, subscription: string, action: 'retry' | 'discard'): Promise<void> {
  try {
    const entry = await deadLetterOf(app, event, subscription)
    if (action === 'retry') {
      const result = await app.command(event.producer, 'dlq.retry', { id: entry.id })
      const { ok, text } = describeRetry(result)
      app.notify(ok ? 'success' : 'error', text)
    } else {
      const { discarded } = await app.command(event.producer, 'dlq.discard', { id: entry.id })
      app.notify(discarded ? 'success' : 'error', discarded ? 'Discarded the dead letter' : 'Nothing to discard: the entry was already gone')
    }
  } catch (error) {
    app.notify('error', `${action === 'retry' ? 'Retry' : 'Discard'} failed: ${(error as Error).message}`)
  }
}
