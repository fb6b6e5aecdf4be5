import { useEffect, useMemo, useState } from 'preact/hooks'
import { formatCount } from '../format'
import { EMPTY_FILTER } from '../state/filter'
import { describeRetry, subscriberRows } from '../state/subscribers'
import { useApp, useRedraw } from './context'

/** The outcome counts scan every kept event: recounted every this many redraws (1.5 s at most) while traffic flows. */
const REFRESH_TICKS = 30

/**
 * For each type, which subscriptions listen to it in which bus, with the retry policy each follows
 * and what became of the kept events it handled. The buses list their subscriptions when the tab
 * opens, when a bus joins, and on Refresh.
 */
export function SubscribersView() {
  const app = useApp()
  const tick = Math.floor(useRedraw() / REFRESH_TICKS)
  const listed = app.listsTick.value
  const producers = app.producers.value
  const [query, setQuery] = useState('')
  const refresh = () => producers.forEach((p) => void app.subscriptions.refresh(p.id))
  useEffect(refresh, [producers.map((p) => p.id).join(',')])
  const rows = useMemo(() => subscriberRows(app.subscriptions.lists, app.events), [tick, listed])
  const needle = query.trim().toLowerCase()
  const shown = needle ? rows.filter((r) => `${r.on} ${r.name} ${app.producerName(r.producer)}`.toLowerCase().includes(needle)) : rows
  const unreadable = producers.flatMap((p) => {
    const why = app.subscriptions.errors.get(p.id)
    return why === undefined ? [] : [`${p.name}: ${why}`]
  })
  const showEvents = (type: string) => {
    app.setFilter({ ...EMPTY_FILTER, muted: app.filter.value.muted, type: type === '*' ? '' : type })
    app.tab.value = 'stream'
  }

  return (
    <div class="subscribers">
      <div class="toolbar">
        <h2>Subscribers <small>{formatCount(rows.length)} subscriptions in {producers.length} connected bus(es)</small></h2>
        <input type="search" aria-label="Filter subscriptions" placeholder="type, subscription or bus" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        <span class="spacer" />
        <button onClick={refresh}>Refresh</button>
      </div>
      {unreadable.map((e) => <p key={e} class="result bad">{e}</p>)}
      {rows.length === 0 ? <p class="empty">No subscription yet. Each bus lists what its handlers listen to (bus.on), with their retry policy.</p> : (
        <table class="dlq-table subscribers-table">
          <thead>
            <tr>
              <th>listens to</th><th>subscription</th><th>bus</th><th>retry policy</th>
              <th class="num" title="Kept events it handled in the end">delivered</th><th class="num">failing</th><th class="num">dead-lettered</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={`${r.producer}\u0000${r.on}\u0000${r.name}`} class={app.directory.isOnline(r.producer) ? '' : 'offline'}>
                <td><button class="link" onClick={() => showEvents(r.on)} title="Show the events of this type in the stream"><code>{r.on}</code></button></td>
                <td>{r.name}{r.named && <span class="badge" title="Subscribed with a name: one delivery per event across processes sharing a transport">named</span>}</td>
                <td>{app.producerName(r.producer)}</td>
                <td>{describeRetry(r.retry)}</td>
                <td class="num">{formatCount(r.delivered)}</td>
                <td class={r.failing ? 'num bad' : 'num'}>{formatCount(r.failing)}</td>
                <td class={r.deadLettered ? 'num bad' : 'num'}>{formatCount(r.deadLettered)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
