const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** `data.items[2].name`, or `data["a b"]` for keys that are not identifiers. */
export const pathOf = (parent: string, key: string): string =>
  IDENTIFIER.test(key) ? (parent === '' ? key : `${parent}.${key}`) : `${parent}[${JSON.stringify(key)}]`

/** The path of the first `count` keys below `root`: numbers are array indexes. */
export const fieldOf = (root: string, keys: readonly (string | number)[], count: number): string => {
  let field = root
  for (let i = 0; i < count; i++) {
    const key = keys[i]!
    field = typeof key === 'number' ? `${field}[${key}]` : pathOf(field, key)
  }
  return field
}

/** The index of the first object that repeats an earlier one on a path (a cycle), or -1. */
export const firstRepeat = (objects: readonly object[]): number => {
  const seen = new Set<object>()
  for (let i = 0; i < objects.length; i++) {
    if (seen.has(objects[i]!)) return i
    seen.add(objects[i]!)
  }
  return -1
}
