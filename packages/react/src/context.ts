import { TidingsError } from '@tidings/core'
import type { AnyBus, Bus } from '@tidings/core'
import { createContext, createElement, useContext } from 'react'
import type { ReactNode } from 'react'

const BusContext = /* @__PURE__ */ createContext<Bus | undefined>(undefined)

/** Gives the components below it a bus: what the hooks of `createTidingsHooks()` use. */
export function TidingsProvider({ bus, children }: { bus: AnyBus; children?: ReactNode }): ReactNode {
  return createElement(BusContext.Provider, { value: bus as Bus }, children)
}

/** The bus given to `createTidingsHooks(bus)`, else the nearest provider's. */
export function useBusOf(bound: AnyBus | undefined): Bus {
  const provided = useContext(BusContext)
  const bus = (bound as Bus | undefined) ?? provided
  if (bus === undefined) {
    throw new TidingsError('E_INVALID_ARGUMENT', 'No Tidings bus here: render this component inside <TidingsProvider bus={bus}>, or pass the bus to createTidingsHooks(bus)')
  }
  return bus
}
