import { useEffect, useState } from 'preact/hooks'
import { formatCount, formatDuration } from '../format'
import { deliveryNote } from '../state/delivery-note'
import { statsRows } from '../state/stats'
import { useApp, useMetricsRedraw } from './context'
import { UPlotChart } from './UPlotChart'

const REFRESH_MS = 1000

/** Redraws the charts once a second: per-frame updates would cost more than they show. */
function useEverySecond(): number {
  const [n, setN] = useState(0)
  useEffect(() => {
    const timer = setInterval(() => setN((x) => x + 1), REFRESH_MS)
    return () => clearInterval(timer)
  }, [])
  return n
}

export function ChartsView() {
  const app = useApp()
  useEverySecond()
  const live = app.connection.value.status === 'open' && app.producers.value.length > 0
  // The current second is still filling up: the chart ends at the last complete one.
  const end = live ? Math.floor(Date.now() / 1000) - 1 : app.rates.lastSecond
  const rates = app.rates.series(end)
  // Read on the events chart's seconds: one time axis for both, and the cursor moves on both.
  const dlq = app.dlqDepth.at(rates.x)

  return (
    <div class="charts">
      <Summary />
      <section class="card">
        <UPlotChart title="Events per second by type (click a legend entry to hide it)" labels={rates.types} data={[rates.x, ...rates.ys]} yLabel="events/s" syncKey="time" />
      </section>
      <section class="card">
        <UPlotChart title="Dead-letter queue depth by bus" labels={dlq.producers.map(app.producerName)} data={[rates.x, ...dlq.ys]} yLabel="entries" height={160} syncKey="time" />
      </section>
      <StatsTable />
    </div>
  )
}

function Summary() {
  const app = useApp()
  useMetricsRedraw()
  let dlq = 0
  let errors = 0
  for (const m of app.metrics.values()) {
    dlq += m.dlq.size
    errors += m.errors
  }
  const rate = app.emitRates.total(app.producers.value.map((p) => p.id))
  return (
    <div class="summary">
      <div class="stat" title="Emitted by the connected buses over their last full metrics interval (about a second)">
        <span>{rate === undefined ? '—' : formatCount(Math.round(rate))}</span>events/s now
      </div>
      <div class="stat"><span>{formatCount(app.producers.value.length)}</span>buses connected</div>
      <div class="stat"><span>{formatCount(dlq)}</span>dead letters</div>
      <div class="stat"><span>{formatCount(app.dropped.value)}</span>records dropped</div>
      <div class="stat"><span>{formatCount(errors)}</span>bus errors</div>
    </div>
  )
}

/** Counts and handler latency per type, from each bus's own metrics (exact, unlike what the page saw). */
function StatsTable() {
  const app = useApp()
  useMetricsRedraw()
  const rows = statsRows(app.metrics)
  const many = new Set(rows.map((r) => r.producer)).size > 1
  const notes = rows.flatMap((r) => {
    const note = deliveryNote(r)
    return note === undefined ? [] : [{ key: `${r.producer}\u0000${r.type}`, text: many ? `${app.producerName(r.producer)} · ${note}` : note }]
  })
  return (
    <section class="card">
      <h3>Per type</h3>
      {rows.length === 0 ? <p class="muted">No metrics yet: buses report them every second once connected.</p> : (
        <table class="stats">
          <thead>
            <tr>
              {many && <th>bus</th>}
              <th>type</th><th>emitted</th><th>delivered</th><th>failed</th><th>retried</th><th>dead-lettered</th>
              <th>p50</th><th>p95</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.producer}\u0000${r.type}`}>
                {many && <td>{app.producerName(r.producer)}</td>}
                <td>{r.type}</td>
                <td class="num">{formatCount(r.emitted)}</td>
                <td class="num">{formatCount(r.delivered)}{deliveryNote(r) !== undefined && <sup class="note-mark" aria-hidden="true">*</sup>}</td>
                <td class="num">{formatCount(r.failed)}</td>
                <td class="num">{formatCount(r.retried)}</td>
                <td class={r.deadLettered ? 'num bad' : 'num'}>{formatCount(r.deadLettered)}</td>
                <td class="num">{r.p50 === undefined ? '—' : formatDuration(r.p50)}</td>
                <td class="num">{r.p95 === undefined ? '—' : formatDuration(r.p95)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {notes.length > 0 && (
        <ul class="delivery-notes" aria-label="Why delivered differs from emitted">
          {notes.map((n) => <li key={n.key}>{n.text}</li>)}
        </ul>
      )}
    </section>
  )
}
