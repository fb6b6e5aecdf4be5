import type { Damage } from './quarantine'

/**
 * Gathers consecutive damaged lines of one file into one damage, found once the next good record
 * (or the end of the file) says which positions they held. Lines are fed in file order or in
 * reverse; the run spans from its lowest start to its highest end either way.
 */
export class DamageRuns {
  private start = 0
  private end = 0
  lines = 0

  constructor(
    private readonly path: string,
    private readonly found: (damage: Damage) => Promise<void>,
  ) {}

  /** `records`: how many records the damaged line may hold (a lost '\n' merges two into one line). */
  damaged(start: number, end: number, records = 1): void {
    this.start = this.lines === 0 ? start : Math.min(this.start, start)
    this.end = this.lines === 0 ? end : Math.max(this.end, end)
    this.lines += records
  }

  /** Ends the run, if one is open: it held positions `from`–`to` (none when `to < from`: then each line counts as one record). */
  async close(from: number, to: number): Promise<void> {
    if (this.lines === 0) return
    const lost = to - from + 1
    const damage: Damage = { path: this.path, offset: this.start, bytes: this.end - this.start, count: lost > 0 ? lost : this.lines, positions: lost > 0 ? [from, to] : undefined }
    this.lines = 0
    await this.found(damage)
  }
}
