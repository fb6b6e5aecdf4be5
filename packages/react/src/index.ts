export { TidingsProvider } from './context'
export { createTidingsHooks } from './create-hooks'
export type { DeadLetterHooks, EventHooks, HistoryHooks, TidingsHooks } from './create-hooks'
export type { DeadLettersState, HistoryState } from './types'
