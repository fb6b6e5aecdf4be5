export interface Product {
  sku: string
  name: string
  price: number
}

export const PRODUCTS: readonly Product[] = [
  { sku: 'TEA-001', name: 'Sencha green tea', price: 8.5 },
  { sku: 'TEA-002', name: 'Assam breakfast tea', price: 6.9 },
  { sku: 'MUG-001', name: 'Stoneware mug', price: 14 },
  { sku: 'POT-001', name: 'Cast-iron teapot', price: 49 },
  { sku: 'HNY-001', name: 'Wildflower honey', price: 11.25 },
  { sku: 'BIS-001', name: 'Ginger biscuits', price: 4.75 },
]

export const productBySku = new Map(PRODUCTS.map((p) => [p.sku, p]))

export const formatPrice = (amount: number): string => `€${amount.toFixed(2)}`

/** The signed-in shopper, as far as this demo goes. */
export const SHOPPER = 'shopper@example.com'
