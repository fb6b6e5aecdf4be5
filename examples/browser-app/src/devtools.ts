import { connectDevtools } from '@tidings/core'
import type { ShopBus } from './bus'
import { pageSetting } from './page-setting'

export type DevtoolsState = 'off' | 'connecting' | 'connected'

/** Streams the bus to the devtools hub, when the page was given its URL; returns how the connection is. */
export function connectToHub(bus: ShopBus): () => DevtoolsState {
  // The hub URL `tidings devtools` printed.
  const url = pageSetting('devtools', import.meta.env.VITE_TIDINGS_DEVTOOLS)
  if (!url) return () => 'off'
  const connection = connectDevtools(bus, { url, name: 'browser-app', onError: (error) => console.warn(error.message) })
  return () => (connection.stats().connected ? 'connected' : 'connecting')
}
