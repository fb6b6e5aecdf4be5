import type { Cart } from '../cart'
import { formatPrice, productBySku } from '../products'
import { WorkerTotal } from './WorkerTotal'

export function CartPanel({ cart }: { cart: Cart }) {
  const lines = [...cart.lines]
  return (
    <section class="cart" aria-labelledby="cart-title">
      <h2 id="cart-title">Cart</h2>
      {lines.length === 0 ? <p class="empty">Your cart is empty.</p> : (
        <ul>
          {lines.map(([sku, qty]) => {
            const product = productBySku.get(sku)
            return (
              <li key={sku}>
                <span class="qty">{qty} ×</span>
                <span class="name">{product?.name ?? sku}</span>
                <span class="price">{formatPrice((product?.price ?? 0) * qty)}</span>
                <button class="link" onClick={() => cart.remove(sku)} aria-label={`Remove ${product?.name ?? sku}`}>Remove</button>
              </li>
            )
          })}
        </ul>
      )}
      <WorkerTotal lines={cart.lines} />
      <div class="checkout">
        <strong>Total {formatPrice(cart.total)}</strong>
        <button class="primary" disabled={lines.length === 0} onClick={cart.checkout}>Checkout</button>
      </div>
    </section>
  )
}
