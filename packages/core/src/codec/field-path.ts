const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** `data.items[2].name`, or `data["a b"]` for keys that are not identifiers. */
export const pathOf = (parent: string, key: string): string =>
  IDENTIFIER.test(key) ? (parent === '' ? key : `${parent}.${key}`) : `${parent}[${JSON.stringify(key)}]`
