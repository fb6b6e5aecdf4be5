import { ref, shallowRef } from 'vue'
import type { ListRefs } from './types'

/** Refs over a list the bus reads asynchronously: one read at a time, and one more for changes during a read. */
export function listRefs<T>(read: () => Promise<readonly T[]>): ListRefs<T> {
  const items = shallowRef<readonly T[]>([])
  const loading = ref(true)
  const error = shallowRef<unknown>()
  let reading: Promise<void> | undefined
  let again = false
  const refresh = (): Promise<void> => {
    again = true
    return (reading ??= (async () => {
      while (again) {
        again = false
        try {
          items.value = await read()
          error.value = undefined
        } catch (failure) {
          error.value = failure
        }
      }
      loading.value = false
      reading = undefined
    })())
  }
  return { items, loading, error, refresh }
}
