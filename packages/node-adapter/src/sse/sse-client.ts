import type { ServerResponse } from 'node:http'

/**
 * One browser's stream. Writes go straight to the socket; what the socket has not taken yet is
 * Node's to hold (`writableLength`), and past `maxBuffered` bytes the client is dropped: a slow
 * reader must not make the server hold an unbounded backlog. While the client is catching up from
 * the log, live events wait in a queue under the same bound.
 */
export class SseClient {
  dropped = false
  private replaying = true
  private queue: Array<readonly [string, string]> = []
  private queued = 0
  private readonly replayed = new Set<string>()
  private corked = false

  constructor(
    private readonly res: ServerResponse,
    readonly wants: (type: string) => boolean,
    private readonly maxBuffered: number,
    private readonly onDrop: (client: SseClient) => void,
  ) {}

  /** Writes a frame (heartbeats, replayed events); false once the client is dropped. */
  write(frame: string): boolean {
    if (this.dropped) return false
    // The frames of one synchronous burst leave in one write: a syscall per client per event is what limits fan-out.
    if (!this.corked) {
      this.corked = true
      this.res.cork()
      queueMicrotask(this.uncork)
    }
    this.res.write(frame)
    if (this.res.writableLength > this.maxBuffered) this.drop()
    return !this.dropped
  }

  /** A replayed event: written now, and remembered so that its live copy is not sent twice. */
  replay(id: string, frame: string): boolean {
    this.replayed.add(id)
    return this.write(frame)
  }

  /** A live event: written, or queued while the replay runs. */
  live(id: string, frame: string): void {
    if (!this.replaying) {
      this.write(frame)
      return
    }
    this.queue.push([id, frame])
    this.queued += frame.length
    if (this.queued > this.maxBuffered) this.drop()
  }

  /** The replay is over: the live events it did not already send follow. */
  caughtUp(): void {
    const queue = this.queue
    this.queue = []
    this.replaying = false
    for (const [id, frame] of queue) if (!this.replayed.has(id) && !this.write(frame)) return
    this.replayed.clear()
  }

  private readonly uncork = () => {
    this.corked = false
    this.res.uncork()
  }

  drop(): void {
    if (this.dropped) return
    this.dropped = true
    this.queue = []
    this.res.destroy()
    this.onDrop(this)
  }

  end(): void {
    this.dropped = true
    this.res.end()
  }
}
