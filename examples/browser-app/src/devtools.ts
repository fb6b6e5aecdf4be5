import { signal } from '@preact/signals'
import { connectDevtools } from '@tidings/core'
import type { ShopBus } from './bus'
import { pageSetting } from './page-setting'

export type DevtoolsState = 'off' | 'connecting' | 'connected'

export const devtoolsState = signal<DevtoolsState>('off')

/** Streams the bus to the devtools hub, when the page was given its URL. */
export function connectToHub(bus: ShopBus): void {
  // The hub URL `tidings devtools` printed.
  const url = pageSetting('devtools', import.meta.env.VITE_TIDINGS_DEVTOOLS)
  if (!url) return
  const connection = connectDevtools(bus, { url, name: 'browser-app', onError: (error) => console.warn(error.message) })
  devtoolsState.value = 'connecting'
  setInterval(() => (devtoolsState.value = connection.stats().connected ? 'connected' : 'connecting'), 1000)
  void connection.connected.then(() => (devtoolsState.value = 'connected'))
}
