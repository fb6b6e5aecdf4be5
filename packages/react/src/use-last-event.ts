import type { Bus, Envelope } from '@tidings/core'
import { useMemo, useSyncExternalStore } from 'react'

const none = (): undefined => undefined

/** The last event of `type` (or matching a pattern) since the component subscribed; undefined before one and on the server. */
export function useLastEventOn(bus: Bus, type: string): Envelope | undefined {
  const source = useMemo(() => {
    let last: Envelope | undefined
    return {
      get: () => last,
      subscribe: (changed: () => void) =>
        bus.on(type as never, ((...args: unknown[]) => {
          // The envelope is a handler's last argument, for a type (data, envelope) and a pattern (type, data, envelope).
          last = args[args.length - 1] as Envelope
          changed()
        }) as never),
    }
  }, [bus, type])
  return useSyncExternalStore(source.subscribe, source.get, none)
}
