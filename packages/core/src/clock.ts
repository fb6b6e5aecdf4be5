let cached = 0
let fresh = false
let reads = 0
let scheduledWith: typeof setTimeout | undefined
const expire = () => {
  fresh = false
}

/** Reads served from one clock reading at most: bounds how stale a long synchronous or microtask-only run can get. */
const MAX_READS = 1024

/**
 * Date.now(), read at most once per macrotask: a burst of emits (synchronous, or chained through
 * resolved promises) shares one clock read. The reading expires when the task ends, or after
 * MAX_READS uses, whichever comes first.
 */
export const now = (): number => {
  // Fake timers (vitest, sinon) replace setTimeout: a reading taken under the other clock is stale.
  if (fresh && scheduledWith === setTimeout && ++reads < MAX_READS) return cached
  cached = Date.now()
  reads = 0
  if (!fresh || scheduledWith !== setTimeout) {
    fresh = true
    scheduledWith = setTimeout
    setTimeout(expire, 0)
  }
  return cached
}
