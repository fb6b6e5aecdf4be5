import { render } from 'preact'
import { bus, natsUrl } from './bus'
import { restoreCart } from './cart'
import { connectToHub } from './devtools'
import { restoreOrders } from './orders'
import { collectPayments } from './payment'
import { sendPaymentsToShipping } from './push'
import { App } from './views/App'
import type { Restored } from './views/App'
import './styles.css'

const devtools = connectToHub(bus)
// On NATS the node service charges the orders (its instances share the work); else the page does.
// The page that charges sends its payments to the node service's shipping (with ?push=).
if (natsUrl === undefined) {
  collectPayments(bus)
  sendPaymentsToShipping(bus)
}

// The page starts from what the stored log and dead letters hold, so it waits for them; without
// storage (private mode, a full disk) the shop still works, it just forgets on reload.
const restored: Restored = await bus.ready
  .then(() => Promise.all([restoreCart(bus), restoreOrders(bus)]))
  .then(([cart, orders]) => ({ cart, orders, storageProblem: undefined }), (error: unknown) => ({
    cart: new Map(), orders: [], storageProblem: error instanceof Error ? error.message : String(error),
  }))
render(<App restored={restored} devtools={devtools} onNats={natsUrl !== undefined} />, document.getElementById('app')!)
