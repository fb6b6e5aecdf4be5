import type { OrderStatus, Orders } from '../orders'
import { formatPrice } from '../products'

const LABELS: Record<OrderStatus | 'shipped', string> = {
  paying: 'paying…', paid: 'paid', shipped: 'shipped', failed: 'payment failed', abandoned: 'abandoned', unknown: 'interrupted',
}

/** `shipped`: the parcels the node service pushed, by order id. */
export function OrderList({ orders, shipped }: { orders: Orders; shipped: ReadonlyMap<string, string> }) {
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
                <td>{shipped.has(o.orderId)
                  ? <span class="status shipped" title={`parcel ${shipped.get(o.orderId)}`}>{LABELS.shipped}</span>
                  : <span class={`status ${o.status}`}>{LABELS[o.status]}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
