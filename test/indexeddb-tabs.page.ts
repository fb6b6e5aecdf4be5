// The page of test/indexeddb-tabs.test.ts: what an app would import, bundled, on window for page.evaluate().
import { createBus, standard } from '@tidings/core'
import { indexedDBStore } from '@tidings/core/indexeddb'

Object.assign(window, { tidings: { createBus, indexedDBStore, standard } })
