/** The shop's price list: the service computes order totals itself rather than trusting clients. */
export const PRODUCTS: Readonly<Record<string, { name: string; price: number }>> = {
  'TEA-001': { name: 'Sencha green tea', price: 8.5 },
  'TEA-002': { name: 'Assam breakfast tea', price: 6.9 },
  'MUG-001': { name: 'Stoneware mug', price: 14 },
  'POT-001': { name: 'Cast-iron teapot', price: 49 },
  'HNY-001': { name: 'Wildflower honey', price: 11.25 },
  'BIS-001': { name: 'Ginger biscuits', price: 4.75 },
}

export const INITIAL_STOCK = 40

