import { render } from 'preact'
import { bus, natsUrl } from './bus'
import { createCart } from './cart'
import { connectToHub } from './devtools'
import { createOrders } from './orders'
import { collectPayments } from './payment'
import { App } from './views/App'
import './styles.css'

connectToHub(bus)
const cart = createCart(bus)
const orders = createOrders(bus)
// On NATS the node service charges the orders (its instances share the work); else the page does.
if (natsUrl === undefined) collectPayments(bus)

// The page shows what the stored log and dead letters hold, so it waits for them; without
// storage (private mode, a full disk) the shop still works, it just forgets on reload.
const storageProblem = await bus.ready
  .then(() => Promise.all([cart.restore(), orders.restore()]))
  .then(() => undefined, (error: unknown) => (error instanceof Error ? error.message : String(error)))
render(<App cart={cart} orders={orders} storageProblem={storageProblem} onNats={natsUrl !== undefined} />, document.getElementById('app')!)
