import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose } from 'vue'

/**
 * Runs `start` once the component is mounted, which never happens in a server render; outside a
 * component (a store, an effectScope) at once. What it returns runs when the scope ends (unmount).
 * Returns that too, for callers outside any scope.
 */
export function whileMounted(start: () => () => void): () => void {
  let stop: (() => void) | undefined
  const begin = () => void (stop = start())
  const end = () => {
    stop?.()
    stop = undefined
  }
  if (getCurrentInstance()) onMounted(begin)
  else begin()
  if (getCurrentScope()) onScopeDispose(end)
  return end
}
