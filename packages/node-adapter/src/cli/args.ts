import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import { usageError } from './exit-codes'

type Options = NonNullable<ParseArgsConfig['options']>

/** `util.parseArgs`, strict, with its errors turned into usage errors (exit code 2). */
export const parse = <O extends Options>(argv: string[], options: O, command: string) => {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  } catch (error) {
    throw usageError(`${(error as Error).message.split('\n')[0]} (see tidings ${command} --help)`)
  }
}

export const integer = (value: string | undefined, name: string, fallback: number): number => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw usageError(`--${name} takes a whole number ≥ 0, got "${value}"`)
  return n
}

/** Refuses options that do not apply to `what` (one action, one mode), which would otherwise be ignored without a word. */
export const refuseOptions = (values: Record<string, unknown>, allowed: readonly string[], what: string, command: string): void => {
  const stray = Object.keys(values).find((name) => values[name] !== undefined && name !== 'help' && !allowed.includes(name))
  if (stray !== undefined) throw usageError(`--${stray} does not apply to ${what} (see tidings ${command} --help)`)
}
