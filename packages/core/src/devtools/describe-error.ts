/**
 * A one-line description of anything user code threw: an Error, a string, a BigInt, a circular
 * object, an object whose getters or `toString` throw. Never throws itself.
 */
export const describeThrown = (thrown: unknown): string => {
  try {
    if (thrown instanceof Error) return `${String(thrown.name)}: ${String(thrown.message)}`
    if (typeof thrown === 'string') return thrown
    return String(thrown)
  } catch {
    try {
      return Object.prototype.toString.call(thrown)
    } catch {
      return 'a value that cannot be described'
    }
  }
}
