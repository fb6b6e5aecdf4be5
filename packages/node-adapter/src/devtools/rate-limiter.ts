/** A token bucket: `perSecond` frames sustained, `burst` at once. */
export class RateLimiter {
  private tokens: number
  private last = performance.now()

  constructor(private readonly perSecond: number, private readonly burst: number) {
    this.tokens = burst
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = performance.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens--
    return true
  }
}
