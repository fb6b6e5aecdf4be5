import { effect, signal } from '@preact/signals'
import type { BusErrorJSON, SubscriptionJSON, CommandArgs, CommandName, CommandValues, DeadLetterJSON, HubToViewerFrame, MetricsSnapshot, ProducerInfo, TrafficRecord } from '@tidings/core'
import { connectToHub, hubSocketUrl } from './hub-connection'
import type { ConnectionState, HubConnection } from './hub-connection'
import type { Filter } from './state/filter'
import { FilteredView } from './state/filtered-view'
import { exportNdjson, importMessage, importNdjson } from './state/ndjson'
import { Operations } from './state/operations'
import { ProducerLists } from './producer-lists'
import { ProducerDirectory } from './state/producer-directory'
import { EmitRates } from './state/emit-rate'
import { RateBuckets } from './state/rates'
import { RecentIds } from './state/recent-ids'
import { RetainedEvents } from './state/retained-events'
import { SampleHistory } from './state/stats'
import { viewStateFromHash, viewStateToHash } from './state/url-state'
import type { Tab } from './state/url-state'

/** How many events the page keeps; the oldest go first. Sized for the 300 MB budget with small payloads. */
const RETAINED_EVENTS = 100_000

/**
 * Traffic redraws the page at most 20 times a second: at thousands of events per second nobody
 * reads faster, and each redraw costs layout and paint. Input still redraws at once.
 */
const MIN_REDRAW_MS = 50

/** How many dead letters of one bus the page lists. */
const DEAD_LETTER_LIST_LIMIT = 500

export interface Notice {
  id: number
  kind: 'success' | 'error'
  text: string
}

interface HeldBatch {
  producer: string
  records: readonly TrafficRecord[]
  emitted: number
}

const emittedCount = (records: readonly TrafficRecord[]) => {
  let n = 0
  for (const r of records) if (r.k === 'emitted') n++
  return n
}

/**
 * Everything the views share: the retained events and their filtered view (plain objects, changed
 * in place at traffic speed) and signals that tell the views when to redraw (`tick`, bumped in an
 * animation frame at most every MIN_REDRAW_MS).
 */
export function createAppState(capacity = RETAINED_EVENTS) {
  const events = new RetainedEvents(capacity)
  const directory = new ProducerDirectory()
  const view = new FilteredView(events, (producer, source) => directory.matches(producer, source))
  const rates = new RateBuckets()
  /** Events already counted in the rates: buses sharing a transport each report the same event. */
  const counted = new RecentIds()
  const operations = new Operations()
  const dlqDepth = new SampleHistory()
  const emitRates = new EmitRates()
  const metrics = new Map<string, MetricsSnapshot>()
  const producerDrops = new Map<string, number>()
  const initial = viewStateFromHash(location.hash)

  const tick = signal(0)
  const metricsTick = signal(0)
  const connection = signal<ConnectionState>({ status: 'connecting', attempt: 0 })
  const producers = signal<ProducerInfo[]>([])
  const filter = signal<Filter>(initial.filter)
  const tab = signal<Tab>(initial.tab)
  /** The operation (correlation id) the sequence diagram shows; the latest one when unset. */
  const operation = signal<string | undefined>(initial.operation)
  const selected = signal<number | undefined>(undefined)
  const paused = signal(false)
  const held = signal(0)
  const dropped = signal(0)
  const backlog = signal(0)
  const notices = signal<Notice[]>([])
  /** Bumped when a bus's dead letters or errors were listed again. */
  const listsTick = signal(0)
  /** What the catalog asked the dispatch form to prepare. */
  const dispatchTarget = signal<{ producer: string; type: string } | undefined>(undefined)

  let hubDropped = 0
  let received = 0
  let heldBatches: HeldBatch[] = []
  let flushScheduled = false
  let lastFlush = 0
  let noticeId = 0
  let hub: HubConnection | undefined

  view.setFilter(filter.value)
  const listed = () => listsTick.value++
  const deadLetters = new ProducerLists(async (producer): Promise<DeadLetterJSON[]> =>
    (await app.command(producer, 'dlq.list', { limit: DEAD_LETTER_LIST_LIMIT })).entries, listed)
  const busErrors = new ProducerLists(async (producer): Promise<BusErrorJSON[]> => (await app.command(producer, 'errors', {})).errors, listed)
  const subscriptions = new ProducerLists(async (producer): Promise<SubscriptionJSON[]> => (await app.command(producer, 'subscriptions', {})).subscriptions, listed)

  const flush = (now: number) => {
    if (now - lastFlush < MIN_REDRAW_MS) {
      requestAnimationFrame(flush)
      return
    }
    lastFlush = now
    flushScheduled = false
    view.sync()
    backlog.value = hub?.backlog() ?? 0
    tick.value++
  }
  const scheduleFlush = () => {
    if (flushScheduled) return
    flushScheduled = true
    requestAnimationFrame(flush)
  }

  const countDrops = () => {
    let n = hubDropped
    for (const d of producerDrops.values()) n += d
    dropped.value = n
  }

  const receive = (producer: string, records: readonly TrafficRecord[]) => {
    const now = Date.now()
    let operationsChanged = false
    for (const r of records) {
      if (r.k !== 'emitted') continue
      if (counted.add(r.envelope.id)) rates.count(r.envelope.type, r.at)
      if (operations.apply(producer, r.at, r.envelope, now, r.remote === true)) operationsChanged = true
      received++
    }
    if (paused.value) {
      // Pausing holds the stream's list, not the operations view.
      if (operationsChanged) scheduleFlush()
      const emitted = emittedCount(records)
      heldBatches.push({ producer, records, emitted })
      let total = held.value + emitted
      // What is held beyond the ring's size would be evicted on resume anyway.
      while (total > capacity && heldBatches.length > 1) total -= heldBatches.shift()!.emitted
      held.value = total
      return
    }
    events.apply(producer, records)
    scheduleFlush()
  }

  const onFrame = (frame: HubToViewerFrame) => {
    switch (frame.t) {
      case 'producers':
        directory.update(frame.producers, frame.departed)
        producers.value = frame.producers
        return
      case 'traffic':
        producerDrops.set(frame.producer, frame.dropped)
        countDrops()
        receive(frame.producer, frame.records)
        return
      case 'backlog':
        for (const f of frame.frames) receive(f.producer, f.records)
        return
      case 'metrics':
        metrics.set(frame.producer, frame.snapshot)
        emitRates.add(frame.producer, frame.snapshot)
        dlqDepth.add(frame.producer, frame.snapshot.at, frame.snapshot.dlq.size)
        deadLetters.noteCount(frame.producer, frame.snapshot.dlq.size)
        busErrors.noteCount(frame.producer, frame.snapshot.errors)
        producerDrops.set(frame.producer, frame.dropped)
        countDrops()
        metricsTick.value++
        return
      case 'dropped':
        hubDropped = frame.count
        countDrops()
        return
      case 'error':
        notify('error', `Hub: ${frame.message}`)
        return
      default:
        return
    }
  }

  function notify(kind: Notice['kind'], text: string) {
    const notice = { id: ++noticeId, kind, text }
    notices.value = [...notices.value.slice(-4), notice]
    setTimeout(() => (notices.value = notices.value.filter((n) => n !== notice)), kind === 'error' ? 10_000 : 5000)
  }

  effect(() => {
    const hash = viewStateToHash({ tab: tab.value, filter: filter.value, operation: tab.value === 'sequence' ? operation.value : undefined })
    if (hash !== location.hash) {
      history.replaceState(null, '', `${location.pathname}${location.search}${hash}`)
    }
  })

  const app = {
    events, view, directory, deadLetters, rates, dlqDepth, metrics, emitRates, operations,
    busErrors, subscriptions, tick, metricsTick, listsTick, connection, producers, filter, tab, operation, selected, paused, held, dropped, backlog, notices, dispatchTarget,

    start(url = hubSocketUrl(location)) {
      hub = connectToHub({
        url,
        onFrame,
        onState: (state) => (connection.value = state),
        onInvalid: (message) => console.warn(`[tidings devtools] ignored a frame: ${message}`),
      })
      window.addEventListener('hashchange', () => {
        const next = viewStateFromHash(location.hash)
        tab.value = next.tab
        if (next.operation !== undefined) operation.value = next.operation
        app.setFilter(next.filter)
      })
    },

    producerName: (id: string): string => directory.name(id),

    /** Counters for scripts and benchmarks (`window.tidingsDevtools.stats()`). */
    stats: () => ({ received, kept: events.size, backlog: hub?.backlog() ?? 0, dropped: dropped.value, held: held.value }),

    setFilter(next: Filter) {
      filter.value = next
      view.setFilter(next)
      tick.value++
    },

    pause() {
      paused.value = true
    },

    resume() {
      paused.value = false
      const batches = heldBatches
      heldBatches = []
      held.value = 0
      for (const b of batches) events.apply(b.producer, b.records)
      scheduleFlush()
    },

    clear() {
      events.clear()
      operations.clear()
      heldBatches = []
      held.value = 0
      selected.value = undefined
      view.sync()
      tick.value++
    },

    command<N extends CommandName>(producer: string, name: N, args: CommandArgs[N]): Promise<CommandValues[N]> {
      if (!hub) return Promise.reject(new Error('Not connected to a hub'))
      return hub.command(producer, name, args)
    },

    exportSession: (): string => exportNdjson(events, app.producerName),

    /** Adds a session file's events among the live ones, in time order; the selection stays on its event. */
    importSession(text: string, fileName: string) {
      const { events: imported, skipped } = importNdjson(text, fileName)
      const now = Date.now()
      for (const e of imported) {
        operations.apply(e.producer, e.at, e.envelope, now)
        if (counted.add(e.envelope.id)) rates.count(e.envelope.type, e.at)
      }
      const chosen = selected.value === undefined ? undefined : events.at(selected.value)?.envelope.id
      const { added, duplicates } = events.merge(imported)
      if (chosen !== undefined) selected.value = events.find(chosen)?.seq
      view.sync()
      tick.value++
      notify(skipped.length && !added ? 'error' : 'success', importMessage(fileName, added, duplicates, skipped))
    },

    notify,
  }
  return app
}

export type AppState = ReturnType<typeof createAppState>
