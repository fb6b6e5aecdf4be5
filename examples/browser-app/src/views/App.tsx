import { useCart } from '../cart'
import type { CartLines } from '../cart'
import type { DevtoolsState } from '../devtools'
import { useOrders } from '../orders'
import type { OrderRow } from '../orders'
import { CartPanel } from './CartPanel'
import { DeadLetterList } from './DeadLetterList'
import { DevtoolsBadge } from './DevtoolsBadge'
import { FailureRate } from './FailureRate'
import { OrderList } from './OrderList'
import { ProductList } from './ProductList'
import { pushUrl, useShipments } from '../push'

export interface Restored {
  cart: CartLines
  orders: OrderRow[]
  /** Why the log could not be read (private mode, a full disk): the shop then works, but forgets on reload. */
  storageProblem: string | undefined
}

export function App({ restored, devtools, onNats }: { restored: Restored; devtools: () => DevtoolsState; onNats: boolean }) {
  const cart = useCart(restored.cart)
  const orders = useOrders(restored.orders)
  const shipped = useShipments()
  return (
    <>
      <header>
        <h1>Tidings tea shop</h1>
        {onNats && <span class="badge connected" role="status">orders go to the node service over NATS</span>}
        {pushUrl !== undefined && <span class="badge connected" role="status">the node service ships paid orders</span>}
        <DevtoolsBadge devtools={devtools} />
      </header>
      {restored.storageProblem && <p class="notice" role="alert">History is not saved in this browser: {restored.storageProblem}</p>}
      <main>
        <ProductList onAdd={cart.add} />
        <CartPanel cart={cart} />
        <OrderList orders={orders} shipped={shipped} />
        <DeadLetterList orders={orders} onNats={onNats} />
      </main>
      {!onNats && (
        <footer>
          <FailureRate />
        </footer>
      )}
    </>
  )
}
