import { compilePattern, isPattern } from '../patterns'

const compiled = new Map<string, RegExp>()

/** Whether a subscription key (a type, a pattern, or '*') takes events of `type`. */
export const keyMatches = (key: string, type: string): boolean => {
  if (key === '*' || key === type) return true
  if (!isPattern(key)) return false
  let re = compiled.get(key)
  if (re === undefined) compiled.set(key, (re = compilePattern(key)))
  return re.test(type)
}

/** A `carries(type)` for a bridge's `types` option; undefined (every type) without one. */
export const typesMatcher = (types: readonly string[] | undefined): ((type: string) => boolean) | undefined =>
  types === undefined ? undefined : (type) => types.some((key) => keyMatches(key, type))
