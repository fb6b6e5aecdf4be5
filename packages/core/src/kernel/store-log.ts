import type { Store, StoreBackend } from '../store/types'
import { STORE_LOG } from './core'
import type { Core } from './core'
import { checkStrict } from './check-strict'
import { defineFeature } from './host'
import { createLog } from './log'

/** The store's event log on a bus: the events of one tick in one append; `ready`, `flush()` and `close()` cover the store. */
const installLog = (core: Core): void => defineFeature((kernel) => {
  const store = kernel.store!
  const log = createLog(store, kernel.track, kernel.report, kernel.lost)
  return {
    made(slot) {
      if (slot.persist) slot.strict = true
    },
    check: checkStrict,
    record(envelope, slot) {
      if (slot.persist) log.append(envelope)
    },
    drain: log.flush,
    start: () => void store.onError?.(kernel.report),
    ready: store.ready,
    flush: () => store.flush(),
    close: () => store.close(),
  }
})(core)

/**
 * Makes a store implementation usable as a bus's `store`: every store of Tidings is made this
 * way, and so is yours. Returns the same object.
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineStore<S extends StoreBackend>(backend: S): S & Store {
  // Enumerable: a copy such as { ...store, append } stays a store (the log uses the copy it is given).
  return Object.assign(backend, { [STORE_LOG]: installLog })
}
