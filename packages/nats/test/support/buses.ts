import { afterEach } from 'vitest'
import { createBus, standard, transport } from '@tidings/core'
import type { KernelOptions, StandardBus, TidingsError } from '@tidings/core'
import { natsTransport } from '@tidings/nats'
import type { NatsTransportOptions } from '@tidings/nats'

let scopes = 0

/**
 * Buses on NATS for one test: each test has its own stream and subject prefix, so tests sharing a
 * server never see each other's events. Every bus made here is closed after the test; the errors
 * each one reported are in `errors`. They have `standard()` besides the transport, since the
 * tests read their dead letters, history and observations.
 */
export const natsBuses = (defaults: () => Omit<NatsTransportOptions, 'stream' | 'subjectPrefix'>) => {
  const open: StandardBus[] = []
  let scope = { stream: 'T0', subjectPrefix: 't0' }
  const nextScope = () => {
    scopes++
    scope = { stream: `T${process.pid}_${scopes}`, subjectPrefix: `t${process.pid}_${scopes}` }
  }
  nextScope()
  afterEach(async () => {
    await Promise.all(open.splice(0).map((bus) => bus.close()))
    nextScope()
  })
  return {
    scope: () => scope,
    bus(options: Partial<NatsTransportOptions> = {}, busOptions: KernelOptions = {}) {
      const errors: TidingsError[] = []
      const bus: StandardBus = createBus(busOptions, standard(), transport(natsTransport({ ...defaults(), ...scope, ...options })))
      bus.onError((error) => void errors.push(error))
      open.push(bus)
      return Object.assign(bus, { errors })
    },
  }
}

/** A promise with its resolve function, for handlers that wait on the test. */
export const gate = <T = void>() => {
  let open!: (value: T) => void
  const promise = new Promise<T>((resolve) => (open = resolve))
  return { promise, open }
}
