import { PRODUCTS, formatPrice } from '../products'

export function ProductList({ onAdd }: { onAdd: (sku: string) => void }) {
  return (
    <section class="products" aria-labelledby="products-title">
      <h2 id="products-title">Products</h2>
      <ul>
        {PRODUCTS.map((p) => (
          <li key={p.sku}>
            <span class="name">{p.name}</span>
            <span class="price">{formatPrice(p.price)}</span>
            <button onClick={() => onAdd(p.sku)} aria-label={`Add ${p.name}`}>Add</button>
          </li>
        ))}
      </ul>
    </section>
  )
}
