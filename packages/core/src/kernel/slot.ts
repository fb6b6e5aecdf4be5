const NONE: readonly string[] = []

/**
 * What the bus knows about one event type, found with one Map lookup per emit. Envelopes keep a
 * reference to their type's slot and read `type`, `dataversion`, `source` and the id prefix
 * through it, so that emitting copies none of them.
 */
export class Slot {
  /** Pattern keys that match this type, valid while `patternsVersion` is the registry's. */
  matches: readonly string[] = NONE
  patternsVersion = -1
  /** Features' own per-type state, at the index `Kernel.slotState()` handed them. */
  readonly state: unknown[] = []
  /** Handed to the route feature (a transport) instead of dispatched here; set by the feature host. */
  routed = false
  /** Bound for a store or a transport: refused at emit if JSON cannot carry it; set by the feature host. */
  strict = false

  constructor(
    readonly type: string,
    readonly version: number,
    readonly source: string,
    /** Envelope ids are `prefix + counter`; a new prefix means new slots (see createBus). */
    readonly prefix: string,
    /** Kept in the store's log. */
    readonly persist: boolean,
  ) {}
}
