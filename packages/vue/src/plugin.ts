import { TidingsError } from '@tidings/core'
import type { AnyBus, Bus } from '@tidings/core'
import { inject } from 'vue'
import type { App, InjectionKey } from 'vue'

/** Where `tidings(bus)` provides the bus: `inject(busKey)` reads it untyped, `useBus()` of `createTidingsComposables<typeof bus>()` typed. */
export const busKey: InjectionKey<Bus> = /* @__PURE__ */ Symbol('tidings')

/** `app.use(tidings(bus))`: every component of the app gets the bus (one bus per server request, or per test). */
/* @__NO_SIDE_EFFECTS__ */
export function tidings(bus: AnyBus): { install(app: App): void } {
  return { install: (app) => void app.provide(busKey, bus as Bus) }
}

/** The bus given to `createTidingsComposables(bus)`, else the app's. */
export function busOf(bound: AnyBus | undefined): Bus {
  const bus = (bound as Bus | undefined) ?? inject(busKey, undefined)
  if (bus === undefined) {
    throw new TidingsError('E_INVALID_ARGUMENT', 'No Tidings bus here: install it with app.use(tidings(bus)), or pass the bus to createTidingsComposables(bus)')
  }
  return bus
}
