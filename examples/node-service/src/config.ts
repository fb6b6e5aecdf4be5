import { fileURLToPath } from 'node:url'

export interface Config {
  host: string
  /** 0 picks a free port. */
  port: number
  /** The file store's directory. */
  dataDir: string
  /** The devtools hub URL `tidings devtools` printed, if any. */
  devtoolsUrl: string | undefined
  /** Share of payment gateway calls that time out, 0–1. */
  paymentFailureRate: number
}

const number = (name: string, fallback: number, min: number, max: number): number => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!(value >= min && value <= max)) throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`)
  return value
}

/** Settings from the environment, with defaults that run on a fresh clone. */
export const loadConfig = (): Config => ({
  host: process.env.HOST || '127.0.0.1',
  port: number('PORT', 3000, 0, 65535),
  // Next to the example (dist/../data), so the log and the dead letters outlive restarts.
  dataDir: process.env.DATA_DIR || fileURLToPath(new URL('../data', import.meta.url)),
  devtoolsUrl: process.env.TIDINGS_DEVTOOLS || undefined,
  paymentFailureRate: number('PAYMENT_FAILURE_RATE', 0.3, 0, 1),
})
