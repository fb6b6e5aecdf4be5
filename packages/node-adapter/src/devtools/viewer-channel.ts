import { DEVTOOLS_PROTOCOL_VERSION } from '@tidings/core'
import type { WebSocket } from 'ws'
import type { BacklogRing } from './backlog-ring'

/** What a viewer is sent besides live traffic: the hub's current state. */
export interface ViewerSource {
  readonly backlog: BacklogRing
  /** The `producers` frame as it stands now. */
  producersText(): string
  /** Each producer's latest `metrics` frame. */
  metricsTexts(): Iterable<string>
}

const OPEN = 1

/**
 * One viewer's outgoing side. Nothing is written while the socket holds more than `mark` unsent
 * bytes, so a viewer that stops reading costs the hub at most the mark plus one frame: traffic
 * it misses is counted (and reported as `dropped` once it catches up); state frames (producers,
 * metrics) are marked stale and their latest version is sent when it catches up; the backlog is
 * read from the ring page by page, only while the viewer keeps up.
 */
export class ViewerChannel {
  alive = true
  /** Traffic records this viewer missed because it was too slow. */
  dropped = 0
  /** State frames held back and error frames left out because the viewer was too slow. */
  skipped = 0
  private unreported = false
  private producersStale = false
  private metricsStale = false
  /** While the backlog is being sent: the next record to send. */
  private replayFrom: number | undefined
  private replayStarted = false

  constructor(
    readonly ws: WebSocket,
    readonly id: string,
    readonly live: boolean,
    private readonly mark: number,
    private readonly pageBytes: number,
    private readonly source: ViewerSource,
  ) {}

  get writable(): boolean {
    return this.ws.readyState === OPEN && this.ws.bufferedAmount <= this.mark
  }

  /** After the welcome: the producers, then for a live viewer their latest metrics and the backlog. */
  start(backlog: boolean): void {
    this.producersStale = true
    if (this.live) {
      this.metricsStale = true
      if (backlog) this.replayFrom = this.source.backlog.firstSeq
    }
    this.catchUp()
  }

  producersChanged(): void {
    if (!this.writable) this.skipped++
    this.producersStale = true
    this.catchUp()
  }

  metrics(text: string): void {
    if (!this.live) return
    if (this.writable && !this.metricsStale) return this.write(text)
    this.skipped++
    this.metricsStale = true
  }

  /** A producer's batch; `kept` says whether the backlog ring holds it (a replaying viewer reads it from there). */
  traffic(text: string, records: number, kept: boolean): void {
    if (!this.live) return
    if (this.replayFrom !== undefined) {
      if (!kept) this.miss(records)
      this.catchUp()
      return
    }
    if (!this.writable) {
      this.miss(records)
      return
    }
    if (this.unreported) this.reportDrops()
    this.write(text)
  }

  /** A frame this viewer asked for (a command's result). False when it is too far behind to take it. */
  reply(text: string): boolean {
    if (!this.writable) return false
    this.write(text)
    return true
  }

  /** An error frame: left out, counted, when the viewer is behind. */
  notice(text: string): void {
    if (this.writable) this.write(text)
    else this.skipped++
  }

  /** Sends what was held back, as far as the viewer keeps up. */
  catchUp(): void {
    if (!this.writable) return
    if (this.producersStale) {
      this.producersStale = false
      this.write(this.source.producersText())
    }
    if (this.metricsStale && this.writable) {
      this.metricsStale = false
      for (const text of this.source.metricsTexts()) this.write(text)
    }
    while (this.replayFrom !== undefined && this.writable) this.replayPage()
    if (this.unreported && this.writable) this.reportDrops()
  }

  private replayPage(): void {
    const ring = this.source.backlog
    const from = this.replayFrom!
    if (from < ring.firstSeq) this.miss(ring.firstSeq - from)
    const page = ring.read(from, this.pageBytes)
    this.replayFrom = page.next >= ring.nextSeq ? undefined : page.next
    if (page.groups.length === 0 && this.replayStarted) return
    this.replayStarted = true
    const text = JSON.stringify({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'backlog', frames: page.groups })
    // The next page goes once this one has left the process, not on the next timer tick.
    this.write(text, this.replayFrom === undefined ? undefined : () => this.catchUp())
  }

  private miss(records: number): void {
    this.dropped += records
    this.unreported = true
  }

  private reportDrops(): void {
    this.unreported = false
    this.write(JSON.stringify({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'dropped', count: this.dropped }))
  }

  private write(text: string, sent?: () => void): void {
    this.ws.send(text, sent && ((error) => {
      if (!error) sent()
    }))
  }
}
