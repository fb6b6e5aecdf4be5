// A dedicated or shared worker of the bridges tests: a shop bus that totals orders.
import { bridges, shop, totals } from './bridges-shop'

const scope = globalThis as unknown as { name: string; addEventListener(type: 'connect', listener: (e: MessageEvent) => void): void }

if (scope.name === 'shared') {
  const bridge = bridges.messagePortBridge()
  totals(shop('/shared-worker', bridge))
  scope.addEventListener('connect', (e) => void bridge.connect(e.ports[0]!))
} else {
  totals(shop('/worker', bridges.messagePortBridge(scope as never)))
}
