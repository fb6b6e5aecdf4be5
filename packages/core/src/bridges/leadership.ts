/**
 * Leadership of one named subscription among contexts of an origin, through the Web Locks API:
 * the context holding the lock `name` handles it. The browser releases a lock when its holder
 * closes, navigates away or crashes, and grants it at once to the next context waiting for it.
 */
export class Leadership {
  private readonly abort = new AbortController()
  private release: (() => void) | undefined
  private stopLead: (() => void) | undefined
  private stopped = false

  /** `lead` runs once the lock is held; what it returns runs when the lock is given up. */
  constructor(name: string, lead: () => () => void, failed: (error: unknown) => void) {
    navigator.locks.request(name, { signal: this.abort.signal }, () => new Promise<void>((resolve) => {
      if (this.stopped) return resolve()
      this.release = resolve
      this.stopLead = lead()
    })).catch((error: unknown) => {
      if ((error as { name?: unknown } | null)?.name !== 'AbortError') failed(error)
    })
  }

  /** Gives the lock up, or stops waiting for it. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.abort.abort()
    this.stopLead?.()
    this.release?.()
  }
}

/** Whether this context can elect leaders (Web Locks); without, each context handles its named subscriptions itself. */
export const canElect = (): boolean => typeof navigator !== 'undefined' && typeof navigator.locks?.request === 'function'
