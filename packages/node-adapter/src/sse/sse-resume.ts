import type { ReadQuery, Store } from '@tidings/core'

/**
 * The log position of event `id`, searched from the newest record back over at most `window`
 * records (a browser reconnects after seconds, so its last event is near the end); undefined when
 * it is not there.
 */
export const positionOf = async (store: Store, id: string, window: number): Promise<number | undefined> => {
  let searched = 0
  const query: ReadQuery = { order: 'desc' }
  for await (const record of store.read(query)) {
    if (record.envelope.id === id) return record.position
    if (++searched >= window) return undefined
  }
  return undefined
}
