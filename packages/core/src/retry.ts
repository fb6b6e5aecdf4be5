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

/**
 * Whether failure number `attempt` (1 = the first try failed) gets another try. Never throws: a
 * thrown value whose `retryable` cannot be read, or a `shouldRetry` that throws, means no retry
 * (the delivery is dead-lettered, so nothing is lost); `onThrow` hears what shouldRetry threw.
 */
export const willRetry = (p: ResolvedRetry, error: unknown, attempt: number, onThrow?: (thrown: unknown) => void): boolean => {
  if (attempt > p.attempts) return false
  try {
    if ((error as { retryable?: unknown } | null)?.retryable === false) return false
  } catch {
    return false
  }
  if (p.shouldRetry === undefined) return true
  try {
    return Boolean(p.shouldRetry(error, attempt))
  } catch (thrown) {
    onThrow?.(thrown)
    return false
  }
}

/** Delay before retry number `attempt` (1-based): exponential, capped, with the jittered share randomized. */
export const backoffDelay = (p: ResolvedRetry, attempt: number): number => {
  const base = Math.min(p.maxMs, p.initialMs * p.factor ** (attempt - 1))
  return base * (1 - p.jitter) + base * p.jitter * Math.random()
}
