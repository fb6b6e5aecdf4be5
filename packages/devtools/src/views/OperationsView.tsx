import { useEffect, useState } from 'preact/hooks'
import { formatCount, formatSpan, formatTime } from '../format'
import { EMPTY_FILTER } from '../state/filter'
import { elapsedMs, remainingMs } from '../state/operations'
import type { Operation } from '../state/operations'
import { useApp, useRedraw } from './context'

const formatRate = (rate: number) => `${rate >= 100 ? formatCount(Math.round(rate)) : rate.toFixed(1)}/s`
const formatFields = (fields: Record<string, unknown>) =>
  Object.entries(fields).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ')

/** Redraws the calling view every second while `active`: elapsed time and ETA move on between events. */
function useClock(active: boolean): number {
  const [, setNow] = useState(0)
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [active])
  return Date.now()
}

/** Long operations reported with `trackProgress`, running ones first, live. */
export function OperationsView() {
  const app = useApp()
  useRedraw()
  const { running, finished } = app.operations.list()
  const now = useClock(running.length > 0)
  return (
    <div class="operations">
      <div class="toolbar">
        <h2>Operations <small>{running.length} running · {finished.length} finished</small></h2>
      </div>
      {running.length + finished.length === 0 ? (
        <p class="empty">
          No operation yet. Work reported with <code>trackProgress(bus, {'{ type }'})</code> shows here as it runs
          (events <code>type.started</code>, <code>.progress</code>, <code>.completed</code>, <code>.failed</code>).
        </p>
      ) : (
        <>
          {running.length > 0 && <OperationList label="Running" operations={running} now={now} />}
          {finished.length > 0 && <OperationList label="Finished" operations={finished} now={now} />}
        </>
      )}
    </div>
  )
}

function OperationList({ label, operations, now }: { label: string; operations: Operation[]; now: number }) {
  return (
    <section aria-label={`${label} operations`}>
      <h3>{label}</h3>
      <ul class="operation-list">
        {operations.map((op) => <OperationRow key={op.key} op={op} now={now} />)}
      </ul>
    </section>
  )
}

function OperationRow({ op, now }: { op: Operation; now: number }) {
  const app = useApp()
  const showEvents = () => {
    app.setFilter({ ...EMPTY_FILTER, muted: app.filter.value.muted, correlation: op.correlationid })
    app.selected.value = app.events.find(op.lastEventId)?.seq
    app.tab.value = 'stream'
  }
  const details = formatFields(op.details)
  const result = formatFields(op.result)
  const elapsed = formatSpan(elapsedMs(op, now))
  const eta = remainingMs(op, now)
  return (
    // The whole row is the click target; the type's button gives keyboard users the same action (its click bubbles here).
    <li class={`operation operation-${op.state}`} onClick={showEvents} title="Show this operation's events in the stream">
      <div class="operation-head">
        <button class="link operation-type">{op.type}</button>
        <span class="badge" title={op.via === undefined ? undefined : 'Received through the transport; the bus that runs it has not reported it'}>{app.producerName(op.producer)}{op.via === undefined ? '' : ' (received)'}</span>
        {details && <span class="muted operation-details" title={details}>{details}</span>}
        <span class="spacer" />
        <span class="muted">{op.state === 'running' ? `${elapsed} elapsed` : `finished ${formatTime(op.updatedAt)}`}</span>
      </div>
      <ProgressBar op={op} />
      <div class="operation-figures">
        <span>{formatCount(op.done)}{op.total === undefined ? '' : ` / ${formatCount(op.total)}`}</span>
        {op.state === 'running' && op.rate !== undefined && <span>{formatRate(op.rate)}</span>}
        {eta !== undefined && <span>ETA {formatSpan(eta)}</span>}
        {op.state === 'running' && op.message && <span class="operation-message">{op.message}</span>}
        {op.state === 'completed' && <span class="outcome-text ok">completed in {elapsed}{result && ` · ${result}`}</span>}
        {op.state === 'failed' && <span class="outcome-text bad">failed after {elapsed}: {op.error?.name}: {op.error?.message}</span>}
      </div>
    </li>
  )
}

function ProgressBar({ op }: { op: Operation }) {
  const label = `${op.type} progress`
  // Without a total nothing says how far along it is: moving stripes while it runs, full once it ended.
  if (op.percent === undefined) {
    const full = op.state !== 'running'
    return (
      <div class="progress-row">
        <div class={full ? 'progress' : 'progress indeterminate'} role="progressbar" aria-label={label}>
          <div class="progress-fill" style={{ width: full ? '100%' : undefined }} />
        </div>
        <span class="progress-percent" />
      </div>
    )
  }
  // Rounded down, so 100 % is shown only when all of it is done.
  const percent = Math.floor(op.percent)
  return (
    <div class="progress-row">
      <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div class="progress-fill" style={{ width: `${op.percent}%` }} />
      </div>
      <span class="progress-percent num">{percent}%</span>
    </div>
  )
}
