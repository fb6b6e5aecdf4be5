import type { ListState } from './types'

/**
 * An external store for `useSyncExternalStore` over a list the bus reads asynchronously: read on
 * subscribe and again whenever `listen` says it changed, one read at a time (changes during a read
 * cause one more). The state object changes only when a read settles, so snapshots are stable.
 */
export function listSource<T>(read: () => Promise<readonly T[]>, listen: (changed: () => void) => () => void) {
  let state: ListState<T> = { loading: true, error: undefined, items: [] }
  let notify: (() => void) | undefined
  let reading = false
  let again = false
  const reload = async (): Promise<void> => {
    again = true
    if (reading) return
    reading = true
    while (again) {
      again = false
      try {
        state = { loading: false, error: undefined, items: await read() }
      } catch (error) {
        state = { ...state, loading: false, error }
      }
    }
    reading = false
    notify?.()
  }
  const initial = state
  return {
    reload,
    get: () => state,
    /** What a server render and hydration show: nothing read yet. */
    initial: () => initial,
    subscribe(listener: () => void) {
      notify = listener
      const stop = listen(() => void reload())
      void reload()
      return () => {
        notify = undefined
        stop()
      }
    },
  }
}
