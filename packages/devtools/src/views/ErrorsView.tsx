import { useEffect, useState } from 'preact/hooks'
import type { BusErrorJSON } from '@tidings/core'
import { formatCount } from '../format'
import { useApp, useMetricsRedraw } from './context'
import { JsonTree } from './JsonTree'

interface Row {
  producer: string
  error: BusErrorJSON
}

/** The errors buses reported to their `onError` listeners: what, which bus, when; the latest first. */
export function ErrorsView() {
  const app = useApp()
  useMetricsRedraw()
  void app.listsTick.value
  const producers = app.producers.value
  const [open, setOpen] = useState<string>()
  let reported = 0
  for (const m of app.metrics.values()) reported += m.errors

  // Buses without metrics() report no error count: their errors are listed when the tab opens and when a bus joins.
  useEffect(() => {
    for (const p of producers) void app.busErrors.refresh(p.id)
  }, [producers.map((p) => p.id).join(',')])

  const rows: Row[] = [...app.busErrors.lists]
    .flatMap(([producer, errors]) => errors.map((error) => ({ producer, error })))
    .sort((a, b) => b.error.at - a.error.at)
  const unreadable = producers.flatMap((p) => {
    const why = app.busErrors.errors.get(p.id)
    return why === undefined ? [] : [`${p.name}: ${why}`]
  })

  return (
    <div class="errors">
      <div class="toolbar">
        <h2>Bus errors <small>{formatCount(reported)} reported · the latest 100 of each bus are listed</small></h2>
        <span class="spacer" />
        <button onClick={() => producers.forEach((p) => void app.busErrors.refresh(p.id))}>Refresh</button>
      </div>
      {unreadable.map((e) => <p key={e} class="result bad">{e}</p>)}
      {rows.length === 0 ? <p class="empty">No errors. What a bus reports to its onError listeners (a failed delivery without dead letters, a store that cannot write, a rejected event) is listed here.</p> : (
        <table class="dlq-table errors-table">
          <thead>
            <tr><th>when</th><th>bus</th><th>code</th><th>error</th></tr>
          </thead>
          <tbody>
            {rows.map(({ producer, error }, i) => {
              const key = `${producer}\u0000${error.at}\u0000${i}`
              const online = app.directory.isOnline(producer)
              return [
                <tr key={key} class={`${open === key ? 'open' : ''}${online ? '' : ' offline'}`} onClick={() => setOpen(open === key ? undefined : key)}>
                  <td title={new Date(error.at).toLocaleString()}>{new Date(error.at).toLocaleTimeString()}</td>
                  <td>{app.producerName(producer)}{!online && <span class="badge offline" title="This bus disconnected: its errors are as last listed">offline</span>}</td>
                  <td><code>{error.code}</code></td>
                  <td class="error-text" title={error.message}>{error.name}: {error.message}</td>
                </tr>,
                open === key && (
                  <tr key={`${key}-detail`} class="dlq-detail">
                    <td colSpan={4}>
                      <p>{new Date(error.at).toLocaleString()}, reported by {app.producerName(producer)}</p>
                      {error.stack && <pre>{error.stack}</pre>}
                      {error.details && <JsonTree value={error.details} label="Details" />}
                    </td>
                  </tr>
                ),
              ]
            })}
          </tbody>
        </table>
      )}
    </div>
  )
}
