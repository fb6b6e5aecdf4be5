import { signal } from '@preact/signals'
import { connectDevtools } from '@tidings/core'
import type { ShopBus } from './bus'

export type DevtoolsState = 'off' | 'connecting' | 'connected'

export const devtoolsState = signal<DevtoolsState>('off')

const STORAGE_KEY = 'tidings-devtools-url'

/**
 * The hub URL `tidings devtools` printed: from `?devtools=` (then kept for this tab's reloads and
 * taken out of the address bar, since it carries the access token), else from the build's
 * `VITE_TIDINGS_DEVTOOLS`.
 */
function hubUrl(): string | undefined {
  const url = new URL(location.href)
  const fromQuery = url.searchParams.get('devtools')
  if (fromQuery) {
    sessionStorage.setItem(STORAGE_KEY, fromQuery)
    url.searchParams.delete('devtools')
    history.replaceState(history.state, '', url)
    return fromQuery
  }
  return sessionStorage.getItem(STORAGE_KEY) ?? import.meta.env.VITE_TIDINGS_DEVTOOLS
}

/** Streams the bus to the devtools hub, when the page was given its URL. */
export function connectToHub(bus: ShopBus): void {
  const url = hubUrl()
  if (!url) return
  const connection = connectDevtools(bus, { url, name: 'browser-app', onError: (error) => console.warn(error.message) })
  devtoolsState.value = 'connecting'
  setInterval(() => (devtoolsState.value = connection.stats().connected ? 'connected' : 'connecting'), 1000)
  void connection.connected.then(() => (devtoolsState.value = 'connected'))
}
