import type { Envelope } from '@tidings/core'

/** The W3C trace-context header, and the CloudEvents extension of the same name (distributed tracing extension). */
export const TRACEPARENT = 'traceparent'

const VALID = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

/** A W3C `traceparent` value, or undefined for anything else. */
export const validTraceparent = (value: unknown): string | undefined =>
  typeof value === 'string' && VALID.test(value) ? value : undefined

// The traceparent of the event whose handlers are running now, shared by every transport of the
// process (as the bus shares its causation context): an event emitted synchronously by such a
// handler, on any bus, carries the same trace on.
let active: string | undefined

/** Runs `deliver` with `traceparent` as the trace of whatever it emits synchronously. */
export const withTrace = <T>(traceparent: string | undefined, deliver: () => T): T => {
  const previous = active
  active = traceparent
  try {
    return deliver()
  } finally {
    active = previous
  }
}

/** The trace an outgoing event travels in: its own `traceparent` extension, else the handler's it was emitted from. */
export const traceOf = (envelope: Envelope): string | undefined => validTraceparent(envelope.extensions?.[TRACEPARENT]) ?? active
