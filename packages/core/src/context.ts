import type { Envelope } from './envelope'

/**
 * The envelope whose handlers are running right now, shared by every bus so that an event
 * emitted from a handler (on any bus) records its cause. Only synchronous code sees it: after an
 * `await`, pass `causedBy(envelope)` as the emit options.
 */
export const context: { active: Envelope | undefined } = { active: undefined }
