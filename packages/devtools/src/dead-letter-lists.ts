import type { CommandArgs, CommandValues, DeadLetterJSON } from '@tidings/core'

/** How many entries of one bus the page lists. */
export const DEAD_LETTER_LIST_LIMIT = 500

type ListCommand = (producer: string, name: 'dlq.list', args: CommandArgs['dlq.list']) => Promise<CommandValues['dlq.list']>

/**
 * Each bus's dead letters as last listed. They are listed again when the bus's metrics report a
 * new DLQ depth, whichever tab is open, so that the entries of a bus that goes offline stay
 * known (and shown, marked offline) after it can no longer be asked.
 */
export class DeadLetterLists {
  readonly lists = new Map<string, DeadLetterJSON[]>()
  /** Why a bus's list could not be read, by producer. */
  readonly errors = new Map<string, string>()
  private readonly depths = new Map<string, number>()

  constructor(private readonly list: ListCommand, private readonly changed: () => void) {}

  /** A metrics snapshot's DLQ depth: a change lists the bus's entries again. */
  noteDepth(producer: string, depth: number): void {
    if (this.depths.get(producer) === depth) return
    this.depths.set(producer, depth)
    void this.refresh(producer)
  }

  async refresh(producer: string): Promise<void> {
    try {
      const { entries } = await this.list(producer, 'dlq.list', { limit: DEAD_LETTER_LIST_LIMIT })
      this.lists.set(producer, entries)
      this.errors.delete(producer)
    } catch (error) {
      this.errors.set(producer, (error as Error).message)
    }
    this.changed()
  }
}
