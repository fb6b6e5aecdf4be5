import type { OrderStatus, Orders } from '../orders'
import { formatPrice } from '../products'

const LABELS: Record<OrderStatus, string> = {
  paying: 'paying…', paid: 'paid', failed: 'payment failed', abandoned: 'abandoned', unknown: 'interrupted',
}

export function OrderList({ orders }: { orders: Orders }) {
  const rows = orders.orders
  return (
    <section class="orders" aria-labelledby="orders-title">
      <h2 id="orders-title">Orders</h2>
      {rows.length === 0 ? <p class="empty">No orders yet. They are kept in IndexedDB: reload and they are still here.</p> : (
        <table>
          <tbody>
            {rows.map((o) => (
              <tr key={o.orderId}>
                <td class="mono">{o.orderId}</td>
                <td>{new Date(o.time).toLocaleTimeString()}</td>
                <td class="price">{formatPrice(o.total)}</td>
                <td><span class={`status ${o.status}`}>{LABELS[o.status]}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
