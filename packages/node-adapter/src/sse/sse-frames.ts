import type { Envelope } from '@tidings/core'

/** The name of the event a server sends when it cannot resume after a Last-Event-ID (as `SSE_GAP_EVENT` in @tidings/core/bridges). */
export const GAP_EVENT = 'tidings.gap'

// Line breaks in an SSE field would end it: ids and JSON text have none, but an id is the sender's choice.
const oneLine = (text: string) => text.replace(/[\r\n]/g, '')

/**
 * An event as one SSE message: `id:` is the envelope id (what the browser sends back as
 * Last-Event-ID), `data:` its CloudEvents JSON. No `event:` field, so EventSource's `message`
 * listeners get every type. Undefined when the envelope cannot be written as JSON.
 */
export const eventFrame = (envelope: Envelope): string | undefined => {
  try {
    return `id: ${oneLine(envelope.id)}\ndata: ${JSON.stringify(envelope)}\n\n`
  } catch {
    return undefined
  }
}

export const gapFrame = (lastEventId: string): string =>
  `event: ${GAP_EVENT}\ndata: ${JSON.stringify({ lastEventId })}\n\n`

/** A comment line: keeps proxies and the browser from timing the connection out. */
export const HEARTBEAT = ':\n\n'
