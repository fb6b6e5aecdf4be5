import type { Envelope } from '@tidings/core'

/** The W3C trace-context header, and the CloudEvents extension of the same name (distributed tracing extension). */
export const TRACEPARENT = 'traceparent'

const VALID = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

/** A W3C `traceparent` value, or undefined for anything else. */
export const validTraceparent = (value: unknown): string | undefined =>
  typeof value === 'string' && VALID.test(value) ? value : undefined

/**
 * The trace an outgoing event travels in: its `traceparent` extension, which the bus gives every
 * event a traced event's handler emits (synchronously, or after an await with `causedBy`).
 */
export const traceOf = (envelope: Envelope): string | undefined => validTraceparent(envelope.extensions?.[TRACEPARENT])
