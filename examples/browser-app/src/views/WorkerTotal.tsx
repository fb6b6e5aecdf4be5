import type { CartLines } from '../cart'
import { formatPrice } from '../products'
import { useWorkerTotals } from '../totals'

export function WorkerTotal({ lines }: { lines: CartLines }) {
  const totals = useWorkerTotals(lines)
  if (totals === undefined || totals.items === 0) return null
  return (
    <p class="worker-total" aria-label="Totals from the worker">
      {totals.items} {totals.items === 1 ? 'item' : 'items'} · {formatPrice(totals.total)} incl. {formatPrice(totals.vat)} VAT
      {' · '}{totals.freeShippingIn > 0 ? `${formatPrice(totals.freeShippingIn)} more for free shipping` : 'free shipping'}
      <span class="muted"> (priced in a worker)</span>
    </p>
  )
}
