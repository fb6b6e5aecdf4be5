type Schedule = (run: () => void) => void

let channel: MessageChannel | undefined
const pending: Array<() => void> = []

/** A macrotask that is not clamped like nested setTimeout(0), and still lets the browser paint between runs. */
const nextTask: Schedule = (run) => {
  if (!channel) {
    channel = new MessageChannel()
    channel.port1.onmessage = () => pending.shift()?.()
  }
  pending.push(run)
  channel.port2.postMessage(null)
}

/**
 * Work that may arrive faster than it can be done, done in slices of at most `budgetMs` so the
 * page keeps painting and answering input. `length` is the backlog: it grows when the page falls behind.
 */
export class SlicedQueue<T> {
  private items: T[] = []
  private head = 0
  private scheduled = false

  constructor(
    private readonly process: (item: T) => void,
    private readonly budgetMs = 8,
    private readonly schedule: Schedule = nextTask,
  ) {}

  get length(): number {
    return this.items.length - this.head
  }

  push(item: T): void {
    this.items.push(item)
    if (!this.scheduled) {
      this.scheduled = true
      this.schedule(this.drain)
    }
  }

  private drain = (): void => {
    this.scheduled = false
    const end = performance.now() + this.budgetMs
    do {
      const item = this.items[this.head]!
      this.items[this.head++] = undefined as T
      this.process(item)
    } while (this.head < this.items.length && performance.now() < end)
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
      return
    }
    if (this.head > 1024) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    this.scheduled = true
    this.schedule(this.drain)
  }
}
