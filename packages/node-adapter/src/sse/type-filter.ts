import { typeFilter } from '../cli/type-filter'

/** A test for types given as types or patterns (`'*'` alone is every type); every type when none are given. */
export const matcher = (keys: readonly string[] | undefined): ((type: string) => boolean) =>
  keys === undefined || keys.includes('*') ? () => true : typeFilter(keys) ?? (() => false)
