/** Where the leader of a named subscription has read the shared log up to. */
export interface Cursor {
  get(): number | undefined
  set(position: number): void
}

/**
 * A cursor every tab of the origin sees: localStorage is shared by the tabs and written through to
 * the browser process at once, so a leader that crashes leaves its last position to the next one.
 * A position written late means an event handled again after a take-over, never one skipped.
 */
export const sharedCursor = (key: string): Cursor => {
  let memory: number | undefined
  const storage = typeof localStorage === 'undefined' ? undefined : localStorage
  return {
    get() {
      const stored = storage?.getItem(key)
      const position = stored == null ? memory : Number(stored)
      return Number.isSafeInteger(position) ? position : undefined
    },
    set(position) {
      memory = position
      storage?.setItem(key, String(position))
    },
  }
}
