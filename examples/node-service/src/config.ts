import { fileURLToPath } from 'node:url'

export interface Config {
  host: string
  /** 0 picks a free port. */
  port: number
  /** The file store's directory. */
  dataDir: string
  /** The devtools hub URL `tidings devtools` printed, if any. */
  devtoolsUrl: string | undefined
  /** A nats-server (`nats://127.0.0.1:4222`): instances given the same one share their events. */
  natsUrl: string | undefined
  /** Milliseconds before the events a killed instance held go to another one. */
  natsAckWaitMs: number
  /** This instance's name in devtools and logs. */
  name: string
  /** Share of payment gateway calls that time out, 0–1. */
  paymentFailureRate: number
  /** Milliseconds a payment gateway call takes at least (then up to 210 more). */
  paymentLatencyMs: number
  /** Milliseconds between an order's payment and its shipping. */
  packingMs: number
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
  natsUrl: process.env.TIDINGS_NATS || undefined,
  natsAckWaitMs: number('NATS_ACK_WAIT_MS', 5000, 100, 3_600_000),
  name: process.env.INSTANCE_NAME || 'node-service',
  paymentFailureRate: number('PAYMENT_FAILURE_RATE', 0.3, 0, 1),
  paymentLatencyMs: number('PAYMENT_LATENCY_MS', 40, 0, 60_000),
  packingMs: number('PACKING_MS', 1000, 0, 60_000),
})
