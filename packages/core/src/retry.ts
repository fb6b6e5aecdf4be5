import type { RetryPolicy } from './types'

/** A retry policy with every default filled in. */
export interface ResolvedRetry {
  attempts: number
  initialMs: number
  factor: number
  maxMs: number
  jitter: number
  shouldRetry: ((error: unknown, attempt: number) => boolean) | undefined
}

/** 3 retries from 100 ms (≈0.1 + 0.2 + 0.4 s): a failing delivery reaches the DLQ within a second. */
export const resolveRetry = (policy: RetryPolicy | undefined, base?: ResolvedRetry): ResolvedRetry => {
  const b = policy?.backoff
  return {
    attempts: policy?.attempts ?? base?.attempts ?? 3,
    initialMs: b?.initialMs ?? base?.initialMs ?? 100,
    factor: b?.factor ?? base?.factor ?? 2,
    maxMs: b?.maxMs ?? base?.maxMs ?? 5000,
    jitter: b?.jitter ?? base?.jitter ?? 0.2,
    shouldRetry: policy?.shouldRetry ?? base?.shouldRetry,
  }
}

/** Whether failure number `attempt` (1 = the first try failed) gets another try. */
export const willRetry = (p: ResolvedRetry, error: unknown, attempt: number): boolean =>
  attempt <= p.attempts &&
  (error as { retryable?: unknown } | null)?.retryable !== false &&
  (p.shouldRetry === undefined || p.shouldRetry(error, attempt))

/** Delay before retry number `attempt` (1-based): exponential, capped, with the jittered share randomized. */
export const backoffDelay = (p: ResolvedRetry, attempt: number): number => {
  const base = Math.min(p.maxMs, p.initialMs * p.factor ** (attempt - 1))
  return base * (1 - p.jitter) + base * p.jitter * Math.random()
}
