import type { BindingSubscribeOptions, Bus } from '@tidings/core'
import { useEffect, useInsertionEffect, useRef } from 'react'

type AnyFn = (...args: unknown[]) => unknown

/**
 * Subscribes once per bus, type and subscription name, and calls the latest `handler` on each
 * event: a handler that changes on every render is not a new subscription. The subscription is
 * made in an effect, so a server render makes none, and StrictMode's extra mount ends its own.
 */
export function useEventOn(bus: Bus, type: string, handler: AnyFn, options?: BindingSubscribeOptions): void {
  const latest = useRef(handler)
  // Before any effect of this commit: an event emitted from a layout effect already gets the new handler.
  useInsertionEffect(() => {
    latest.current = handler
  })
  const name = options?.name
  useEffect(() => {
    const call: AnyFn = (...args) => latest.current(...args)
    // Devtools and dead letters call an unnamed subscription by its function's name.
    Object.defineProperty(call, 'name', { value: latest.current.name })
    return bus.on(type as never, call as never, options)
  }, [bus, type, name])
}
