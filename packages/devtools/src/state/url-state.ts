import type { Filter } from './filter'
import { EMPTY_FILTER } from './filter'
import { OUTCOMES } from './retained-event'
import type { Outcome } from './retained-event'

export const TABS = ['stream', 'operations', 'sequence', 'subscribers', 'charts', 'dlq', 'errors', 'catalog', 'dispatch'] as const
export type Tab = (typeof TABS)[number]

/** The part of the page's state a shared link carries. */
export interface ViewState {
  tab: Tab
  filter: Filter
  /** The operation (correlation id) the sequence diagram shows. */
  operation?: string
}

/**
 * View state lives in the URL's fragment, not its query: the query carries the hub's token and
 * goes to the server with every request; the fragment never leaves the browser.
 */
export function viewStateToHash(state: ViewState): string {
  const params = new URLSearchParams()
  if (state.tab !== 'stream') params.set('tab', state.tab)
  const { type, source, outcome, q, muted, correlation } = state.filter
  if (type) params.set('type', type)
  if (source) params.set('source', source)
  if (outcome) params.set('outcome', outcome)
  if (q) params.set('q', q)
  if (muted.length) params.set('mute', muted.join(','))
  if (correlation) params.set('correlation', correlation)
  if (state.operation) params.set('op', state.operation)
  const text = params.toString()
  return text ? `#${text}` : ''
}

export function viewStateFromHash(hash: string): ViewState {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  const tab = params.get('tab')
  const outcome = params.get('outcome')
  return {
    tab: (TABS as readonly string[]).includes(tab ?? '') ? (tab as Tab) : 'stream',
    filter: {
      ...EMPTY_FILTER,
      type: params.get('type') ?? '',
      source: params.get('source') ?? '',
      outcome: (OUTCOMES as readonly string[]).includes(outcome ?? '') ? (outcome as Outcome) : '',
      q: params.get('q') ?? '',
      muted: (params.get('mute') ?? '').split(',').filter(Boolean),
      correlation: params.get('correlation') ?? '',
    },
    ...(params.get('op') && { operation: params.get('op')! }),
  }
}
