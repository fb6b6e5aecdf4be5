import { useEffect, useState } from 'preact/hooks'
import type { DeadLetterJSON } from '@tidings/core'
import { describeRetry } from '../dlq-actions'
import { formatCount } from '../format'
import { useApp, useMetricsRedraw } from './context'
import { JsonTree } from './JsonTree'

interface Row {
  producer: string
  entry: DeadLetterJSON
  /** The bus is connected: only then can it act on the entry. */
  online: boolean
}

/** Dead letters of every bus the page has listed, offline ones included; each action goes to the bus that owns the entry. */
export function DlqView() {
  const app = useApp()
  useMetricsRedraw()
  void app.listsTick.value
  const producers = app.producers.value
  const rows: Row[] = [...app.deadLetters.lists].flatMap(([producer, entries]) =>
    entries.map((entry) => ({ producer, entry, online: app.directory.isOnline(producer) })))
  const errors = producers.flatMap((p) => {
    const error = app.deadLetters.errors.get(p.id)
    return error === undefined ? [] : [`${p.name}: ${error}`]
  })
  const [status, setStatus] = useState<{ ok: boolean; text: string }>()
  const [open, setOpen] = useState<string>()
  const [busy, setBusy] = useState(false)
  let depth = 0
  for (const p of producers) depth += app.metrics.get(p.id)?.dlq.size ?? 0
  const offline = rows.filter((r) => !r.online).length

  const load = async () => {
    await Promise.all(producers.map((p) => app.deadLetters.refresh(p.id)))
  }

  // Buses without metrics() report no DLQ depth: their entries are listed when the tab opens and when a bus joins.
  useEffect(() => {
    void load()
  }, [producers.map((p) => p.id).join(',')])

  const run = async (label: string, action: () => Promise<{ ok: boolean; text: string }>) => {
    setBusy(true)
    try {
      const result = await action()
      setStatus(result)
      app.notify(result.ok ? 'success' : 'error', result.text)
    } catch (error) {
      const text = `${label} failed: ${(error as Error).message}`
      setStatus({ ok: false, text })
      app.notify('error', text)
    }
    setBusy(false)
    await load()
  }

  const retry = (row: Row) => run('Retry', async () => describeRetry(await app.command(row.producer, 'dlq.retry', { id: row.entry.id })))
  const discard = (row: Row) => run('Discard', async () => {
    const { discarded } = await app.command(row.producer, 'dlq.discard', { id: row.entry.id })
    if (discarded) app.noteDiscarded(row.producer, row.entry.envelope.id, row.entry.subscription)
    return { ok: discarded, text: discarded ? `Discarded ${row.entry.envelope.type} (${row.entry.subscription})` : 'The entry was already gone' }
  })
  const purge = (producer: string) => {
    if (!confirm(`Delete every dead letter of ${app.producerName(producer)}? This cannot be undone.`)) return
    void run('Purge', async () => {
      const { purged } = await app.command(producer, 'dlq.purge', {})
      return { ok: true, text: `Purged ${purged} dead letter(s) from ${app.producerName(producer)}` }
    })
  }
  const retryAll = (producer: string) => run('Retry all', async () => describeRetry(await app.command(producer, 'dlq.retry', {})))

  return (
    <div class="dlq">
      <div class="toolbar">
        <h2>Dead letters <small>{formatCount(depth)} in {producers.length} connected bus(es){offline > 0 && ` · ${formatCount(offline)} kept from offline buses`}</small></h2>
        <span class="spacer" />
        <button onClick={() => void load()} disabled={busy}>Refresh</button>
        {producers.filter((p) => rows.some((r) => r.producer === p.id)).map((p) => (
          <span key={p.id} class="group">
            <button disabled={busy} onClick={() => void retryAll(p.id)}>Retry all of {p.name}</button>
            <button class="danger" disabled={busy} onClick={() => purge(p.id)}>Purge {p.name}</button>
          </span>
        ))}
      </div>
      {status && <p class={status.ok ? 'result ok' : 'result bad'} role="status">{status.text}</p>}
      {errors.map((e) => <p key={e} class="result bad">{e}</p>)}
      {rows.length === 0 ? <p class="empty">No dead letters. Deliveries that fail every retry land here.</p> : (
        <table class="dlq-table">
          <thead>
            <tr><th>last failed</th><th>type</th><th>subscription</th><th>attempts</th><th>error</th><th>bus</th><th /></tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const key = `${row.producer}\u0000${row.entry.id}`
              const { entry } = row
              return [
                <tr key={key} class={`${open === key ? 'open' : ''}${row.online ? '' : ' offline'}`} onClick={() => setOpen(open === key ? undefined : key)}>
                  <td>{new Date(entry.lastFailedAt).toLocaleTimeString()}</td>
                  <td>{entry.envelope.type}</td>
                  <td>{entry.subscription}</td>
                  <td class="num">{entry.attempts}</td>
                  <td class="error-text" title={entry.error.message}>{entry.error.name}: {entry.error.message}</td>
                  <td>{app.producerName(row.producer)}{!row.online && <span class="badge offline" title="This bus disconnected: its entries are as last listed, and it must reconnect to retry or discard them">offline</span>}</td>
                  <td class="actions" onClick={(e) => e.stopPropagation()} title={row.online ? undefined : 'The bus is offline: it must reconnect to retry or discard this entry'}>
                    <button class="primary" disabled={busy || !row.online} onClick={() => void retry(row)}>Retry</button>
                    <button disabled={busy || !row.online} onClick={() => void discard(row)}>Discard</button>
                  </td>
                </tr>,
                open === key && (
                  <tr key={`${key}-detail`} class="dlq-detail">
                    <td colSpan={7}>
                      <p>Event <code>{entry.envelope.id}</code>, first failed {new Date(entry.firstFailedAt).toLocaleString()}</p>
                      {entry.error.stack && <pre>{entry.error.stack}</pre>}
                      <JsonTree value={entry.envelope.data} label="Payload" />
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
