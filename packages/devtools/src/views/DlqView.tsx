import { useEffect, useState } from 'preact/hooks'
import type { CommandValues } from '@tidings/core'
import { describeRetry } from '../dlq-actions'
import { formatCount } from '../format'
import { deadLetterLabel, dlqRowKey, dlqRows } from '../state/dlq-rows'
import type { DlqRow } from '../state/dlq-rows'
import { EMPTY_FILTER } from '../state/filter'
import { useApp, useMetricsRedraw } from './context'
import { JsonTree } from './JsonTree'

type Outcome = { ok: boolean; text: string }

/**
 * Dead letters of every bus the page has listed, offline ones included: filtered, sorted by when
 * they last failed, acted on one by one or as a selection; each action goes to the bus that owns
 * the entry.
 */
export function DlqView() {
  const app = useApp()
  useMetricsRedraw()
  void app.listsTick.value
  const producers = app.producers.value
  const [status, setStatus] = useState<Outcome>()
  const [open, setOpen] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [text, setText] = useState('')
  const [newestFirst, setNewestFirst] = useState(true)
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set())
  const all: DlqRow[] = [...app.deadLetters.lists].flatMap(([producer, entries]) =>
    entries.map((entry) => ({ producer, bus: app.producerName(producer), entry, online: app.directory.isOnline(producer) })))
  const rows = dlqRows(all, text, newestFirst)
  // Only rows still listed and shown count as selected: a filter or a refresh may have taken some away.
  const selected = rows.filter((r) => r.online && picked.has(dlqRowKey(r)))
  const selectable = rows.filter((r) => r.online)
  const errors = producers.flatMap((p) => {
    const error = app.deadLetters.errors.get(p.id)
    return error === undefined ? [] : [`${p.name}: ${error}`]
  })
  let depth = 0
  for (const p of producers) depth += app.metrics.get(p.id)?.dlq.size ?? 0
  const offline = all.length - all.filter((r) => r.online).length

  const load = async () => {
    await Promise.all(producers.map((p) => app.deadLetters.refresh(p.id)))
  }

  // Buses without metrics() report no DLQ depth: their entries are listed when the tab opens and when a bus joins.
  useEffect(() => {
    void load()
  }, [producers.map((p) => p.id).join(',')])

  const run = async (label: string, action: () => Promise<Outcome>) => {
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
    setPicked(new Set())
    await load()
  }

  const nameOf = (chosen: readonly DlqRow[]) => (id: string) => {
    const row = chosen.find((r) => r.entry.id === id)
    return row && deadLetterLabel(row.entry)
  }
  /** Retries each entry on its own bus, one after the other, and says what became of each. */
  const retry = (chosen: readonly DlqRow[]) => run('Retry', async () => {
    const result: CommandValues['dlq.retry'] = { succeeded: [], failed: [] }
    for (const row of chosen) {
      const { succeeded, failed } = await app.command(row.producer, 'dlq.retry', { id: row.entry.id })
      result.succeeded.push(...succeeded)
      result.failed.push(...failed)
    }
    return describeRetry(result, nameOf(chosen))
  })
  const discard = (chosen: readonly DlqRow[]) => run('Discard', async () => {
    const done: string[] = []
    for (const row of chosen) {
      const { discarded } = await app.command(row.producer, 'dlq.discard', { id: row.entry.id })
      if (!discarded) continue
      done.push(deadLetterLabel(row.entry))
    }
    if (done.length === 0) return { ok: false, text: 'Nothing to discard: the entries were already gone' }
    return { ok: true, text: `Discarded ${done.length === 1 ? done[0] : `${done.length}: ${done.join('; ')}`}` }
  })
  const purge = (producer: string) => {
    if (!confirm(`Delete every dead letter of ${app.producerName(producer)}? This cannot be undone.`)) return
    void run('Purge', async () => {
      const { purged } = await app.command(producer, 'dlq.purge', {})
      return { ok: true, text: `Purged ${purged} dead letter(s) from ${app.producerName(producer)}` }
    })
  }
  const retryAll = (producer: string) => run('Retry all', async () => describeRetry(await app.command(producer, 'dlq.retry', {}), nameOf(all)))

  /** Shows the event in the stream with its detail; filters that would hide it are cleared. */
  const openEvent = (row: DlqRow) => {
    const event = app.events.find(row.entry.envelope.id)
    if (!event) return
    if (app.view.indexOf(event.seq) === -1) {
      app.setFilter(EMPTY_FILTER)
      app.notify('success', 'Cleared the stream\'s filters: they hid this event')
    }
    app.selected.value = event.seq
    app.tab.value = 'stream'
  }
  const toggle = (keys: readonly string[], on: boolean) => {
    const next = new Set(picked)
    for (const key of keys) on ? next.add(key) : next.delete(key)
    setPicked(next)
  }

  return (
    <div class="dlq">
      <div class="toolbar">
        <h2>Dead letters <small>{formatCount(depth)} in {producers.length} connected bus(es){offline > 0 && ` · ${formatCount(offline)} kept from offline buses`}</small></h2>
        <span class="spacer" />
        <button onClick={() => void load()} disabled={busy}>Refresh</button>
        {producers.filter((p) => all.some((r) => r.producer === p.id)).map((p) => (
          <span key={p.id} class="group">
            <button disabled={busy} onClick={() => void retryAll(p.id)}>Retry all of {p.name}</button>
            <button class="danger" disabled={busy} onClick={() => purge(p.id)}>Purge {p.name}</button>
          </span>
        ))}
      </div>
      <div class="toolbar">
        <input type="search" aria-label="Filter dead letters" placeholder="filter: type, subscription, error, bus, event id" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button onClick={() => setNewestFirst(!newestFirst)} title="Sort by when the entry last failed">{newestFirst ? 'Newest first ↓' : 'Oldest first ↑'}</button>
        <span class="count">{formatCount(rows.length)} shown{selected.length > 0 && ` · ${formatCount(selected.length)} selected`}</span>
        <span class="spacer" />
        <button class="primary" disabled={busy || selected.length === 0} onClick={() => void retry(selected)}>Retry selected</button>
        <button disabled={busy || selected.length === 0} onClick={() => void discard(selected)}>Discard selected</button>
      </div>
      {status && <p class={status.ok ? 'result ok' : 'result bad'} role="status">{status.text}</p>}
      {errors.map((e) => <p key={e} class="result bad">{e}</p>)}
      {all.length === 0 ? <p class="empty">No dead letters. Deliveries that fail every retry land here.</p> : rows.length === 0 ? <p class="empty">No dead letter matches “{text}”.</p> : (
        <table class="dlq-table">
          <thead>
            <tr>
              <th class="pick">
                <input type="checkbox" aria-label="Select every shown dead letter" disabled={selectable.length === 0}
                  checked={selectable.length > 0 && selected.length === selectable.length}
                  onChange={(e) => toggle(selectable.map(dlqRowKey), e.currentTarget.checked)} />
              </th>
              <th>last failed</th><th>type</th><th>subscription</th><th>attempts</th><th>error</th><th>bus</th><th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const key = dlqRowKey(row)
              const { entry } = row
              const kept = app.events.find(entry.envelope.id) !== undefined
              return [
                <tr key={key} class={`${open === key ? 'open' : ''}${row.online ? '' : ' offline'}`} onClick={() => setOpen(open === key ? undefined : key)}>
                  <td class="pick" onClick={(e) => e.stopPropagation()}>
                    <input type="checkbox" aria-label={`Select ${deadLetterLabel(entry)}`} disabled={!row.online} checked={row.online && picked.has(key)} onChange={(e) => toggle([key], e.currentTarget.checked)} />
                  </td>
                  <td title={new Date(entry.lastFailedAt).toLocaleString()}>{new Date(entry.lastFailedAt).toLocaleTimeString()}</td>
                  <td>{entry.envelope.type}</td>
                  <td>{entry.subscription}</td>
                  <td class="num">{entry.attempts}</td>
                  <td class="error-text" title={entry.error.message}>{entry.error.name}: {entry.error.message}</td>
                  <td>{row.bus}{!row.online && <span class="badge offline" title="This bus disconnected: its entries are as last listed, and it must reconnect to retry or discard them">offline</span>}</td>
                  <td class="actions" onClick={(e) => e.stopPropagation()} title={row.online ? undefined : 'The bus is offline: it must reconnect to retry or discard this entry'}>
                    <button disabled={!kept} onClick={() => openEvent(row)} title={kept ? 'Show the event in the stream, with its detail' : 'The page does not keep this event (it arrived before the page opened, or was evicted): its payload is shown here'}>Open event</button>
                    <button class="primary" disabled={busy || !row.online} onClick={() => void retry([row])}>Retry</button>
                    <button disabled={busy || !row.online} onClick={() => void discard([row])}>Discard</button>
                  </td>
                </tr>,
                open === key && (
                  <tr key={`${key}-detail`} class="dlq-detail">
                    <td colSpan={8}>
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
