// The worker thread of test/bridges-worker-threads.test.ts: a shop bus that totals orders.
import { parentPort } from 'node:worker_threads'
import { bridges, shop, totals } from './bridges-shop'

totals(shop('/thread', bridges.messagePortBridge(parentPort!)))
