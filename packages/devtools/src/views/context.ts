import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { AppState } from '../app-state'

export const AppContext = createContext<AppState | undefined>(undefined)

export function useApp(): AppState {
  const app = useContext(AppContext)
  if (!app) throw new Error('A devtools view was rendered outside <AppContext.Provider>')
  return app
}

/** Redraws the calling view whenever traffic changed the retained events (at most once per frame). */
export const useRedraw = (): number => useApp().tick.value

/** Redraws the calling view when a bus reports new metrics (about once a second per bus). */
export const useMetricsRedraw = (): number => useApp().metricsTick.value
