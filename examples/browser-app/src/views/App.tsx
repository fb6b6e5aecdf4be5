import type { Cart } from '../cart'
import type { Orders } from '../orders'
import { CartPanel } from './CartPanel'
import { DeadLetterList } from './DeadLetterList'
import { DevtoolsBadge } from './DevtoolsBadge'
import { FailureRate } from './FailureRate'
import { OrderList } from './OrderList'
import { ProductList } from './ProductList'

export function App({ cart, orders, storageProblem, onNats }: { cart: Cart; orders: Orders; storageProblem: string | undefined; onNats: boolean }) {
  return (
    <>
      <header>
        <h1>Tidings tea shop</h1>
        {onNats && <span class="badge connected" role="status">orders go to the node service over NATS</span>}
        <DevtoolsBadge />
      </header>
      {storageProblem && <p class="notice" role="alert">History is not saved in this browser: {storageProblem}</p>}
      <main>
        <ProductList onAdd={cart.add} />
        <CartPanel cart={cart} />
        <OrderList orders={orders} />
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
