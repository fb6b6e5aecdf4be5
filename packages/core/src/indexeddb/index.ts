export { indexedDBStore } from './store'
export type { IndexedDBStoreOptions } from './store'
