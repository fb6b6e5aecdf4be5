let cached = 0
let fresh = false
const expire = () => {
  fresh = false
}
// A resolved promise's then() is cheaper than queueMicrotask in Node (no async-context wrapper).
const resolved = Promise.resolve()

/**
 * Date.now(), read at most once per task: a burst of synchronous emits shares one clock read.
 * The cache expires in a microtask, i.e. as soon as the current synchronous run ends.
 */
export const now = (): number => {
  if (!fresh) {
    cached = Date.now()
    fresh = true
    void resolved.then(expire)
  }
  return cached
}
