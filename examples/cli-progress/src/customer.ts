import * as v from 'valibot'

/** One row of customers.csv, as the destination wants it. */
export const Customer = v.object({
  id: v.pipe(v.string(), v.regex(/^c\d+$/, 'id must look like c123')),
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'name is empty')),
  email: v.pipe(v.string(), v.email('email is not an address')),
  country: v.pipe(v.string(), v.length(2, 'country must be a 2-letter code')),
  signedUp: v.pipe(v.string(), v.isoDate('signed_up must be YYYY-MM-DD')),
})

export type Customer = v.InferOutput<typeof Customer>

export const CSV_HEADER = 'id,name,email,country,signed_up'

/** A CSV line into a customer, or the reasons it is not one. Fields never contain commas in this format. */
export function parseCustomer(line: string): { ok: true; customer: Customer } | { ok: false; reason: string } {
  const [id, name, email, country, signedUp] = line.split(',')
  const result = v.safeParse(Customer, { id, name, email, country, signedUp })
  return result.success ? { ok: true, customer: result.output } : { ok: false, reason: result.issues.map((i) => i.message).join('; ') }
}
