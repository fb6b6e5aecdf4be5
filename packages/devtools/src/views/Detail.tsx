import { useMemo, useState } from 'preact/hooks'
import { actOnDeadLetter } from '../dlq-actions'
import { formatDuration, formatTime } from '../format'
import { deliveryGroups, groupStatus, isAttempt } from '../state/delivery-groups'
import { operationChain, producerPath } from '../state/operation-chain'
import type { Delivery, RetainedEvent } from '../state/retained-event'
import { useApp, useRedraw } from './context'
import { JsonTree } from './JsonTree'
import { OutcomeBadge } from './OutcomeBadge'
import { WaterfallView } from './WaterfallView'
import { CopyCode } from './CopyCode'
import { ReplayPanel } from './ReplayPanel'
import { emitSnippet } from '../state/code-snippets'

const CORE_ATTRIBUTES = ['id', 'source', 'type', 'time', 'dataversion', 'correlationid', 'causationid', 'specversion', 'data']
/** The chain is rebuilt every this many redraws (1.5 s at most) while traffic flows: it scans every kept event. */
const CHAIN_REFRESH_TICKS = 30

export function Detail() {
  const app = useApp()
  const tick = useRedraw()
  const seq = app.selected.value
  const event = seq === undefined ? undefined : app.events.at(seq)
  if (!event) {
    return (
      <aside class="detail empty-detail" aria-label="Event detail">
        <p>{seq === undefined ? 'Select an event (click, or ↑ ↓ in the list) to see its envelope, payload, deliveries and errors.' : 'That event is no longer kept.'}</p>
      </aside>
    )
  }
  const env = event.envelope
  const filter = app.filter.value
  return (
    <aside class="detail" aria-label="Event detail">
      <header class="detail-head">
        <h2 title={env.type}>{env.type}</h2>
        <OutcomeBadge outcome={event.outcome} />
        {event.imported && <span class="badge imported" title="Read from a session file, not reported live">imported</span>}
        <span class="spacer" />
        <button onClick={() => app.setFilter({ ...filter, type: env.type })} title="Show only this type">Only this type</button>
        <button onClick={() => app.setFilter({ ...filter, muted: [...new Set([...filter.muted, env.type])] })} title="Hide this type from the list; its events are still kept">Mute type</button>
        <button class="icon" aria-label="Close detail" onClick={() => (app.selected.value = undefined)}>×</button>
      </header>
      <Deliveries key={event.seq} event={event} />
      <WaterfallView key={`w${event.seq}`} event={event} />
      <section>
        <h3>Envelope</h3>
        <table class="attributes">
          <tbody>
            <Attr name="id" value={env.id} />
            <Attr name="source" value={event.via === undefined ? `${env.source}  (bus: ${app.producerName(event.producer)})`
              : `${env.source}  (received through the transport by bus: ${app.producerName(event.via)}; the emitting bus has not reported it)`} />
            {event.site !== undefined && <Attr name="emitted at" value={event.site} />}
            <Attr name="time" value={env.time ?? formatTime(event.at)} />
            <Attr name="dataversion" value={env.dataversion} />
            <tr>
              <th>correlationid</th>
              <td>
                {env.correlationid ?? '—'}
                {env.correlationid !== undefined && filter.correlation !== env.correlationid && (
                  <>{' '}<button class="link" onClick={() => app.setFilter({ ...filter, correlation: env.correlationid! })}>only this operation</button></>
                )}
                {env.correlationid !== undefined && (
                  <>{' · '}<button class="link" onClick={() => {
                    app.operation.value = env.correlationid
                    app.tab.value = 'sequence'
                  }}>sequence diagram</button></>
                )}
              </td>
            </tr>
            <tr>
              <th>causationid</th>
              <td>{env.causationid === undefined ? '—' : <CauseLink event={event} />}</td>
            </tr>
            {Object.entries(env).filter(([k]) => !CORE_ATTRIBUTES.includes(k)).map(([k, v]) => <Attr key={k} name={k} value={v} />)}
          </tbody>
        </table>
      </section>
      <section>
        <h3>Payload</h3>
        {event.truncated ? <p class="warn">The payload was too large to send and was left out by the producer.</p>
          : <JsonTree key={event.seq} value={env.data} label="Payload" />}
      </section>
      <section>
        <h3>Code</h3>
        <CopyCode label="emit(…) snippet" code={() => emitSnippet(env, app.producers.value.find((p) => p.id === event.producer)?.catalog.find((c) => c.type === env.type)?.version)} />
      </section>
      <Chain event={event} tick={Math.floor(tick / CHAIN_REFRESH_TICKS)} />
    </aside>
  )
}

function Attr({ name, value }: { name: string; value: unknown }) {
  return (
    <tr>
      <th>{name}</th>
      <td>{value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value)}</td>
    </tr>
  )
}

function CauseLink({ event }: { event: RetainedEvent }) {
  const app = useApp()
  const id = event.envelope.causationid!
  const cause = app.events.find(id)
  if (!cause) return <span title="The causing event is not kept on this page">{id}</span>
  const elsewhere = cause.producer !== event.producer ? `, on ${app.producerName(cause.producer)}` : ''
  return <button class="link" onClick={() => (app.selected.value = cause.seq)}>{id} ({cause.envelope.type}{elsewhere})</button>
}

/** A dead-letter step carries the error of the try it follows: shown once, with that try. */
const repeatsError = (tries: readonly Delivery[], i: number): boolean =>
  tries[i]!.k === 'dead-lettered' && i > 0 && tries[i - 1]!.error?.message === tries[i]!.error?.message

/** Each subscription's latest outcome, its tries, and the errors with their stacks. */
function Deliveries({ event }: { event: RetainedEvent }) {
  const app = useApp()
  // The event object is changed in place as outcomes arrive: its props alone would never redraw this.
  useRedraw()
  // The group acted on, and how many steps it had then: its buttons stay off until the outcome
  // arrives as a new step, so a retry cannot be offered again for an entry already being retried.
  const [busy, setBusy] = useState<{ key: string; steps: number; answered: boolean }>()
  const groups = deliveryGroups(event.deliveries)
  if (groups.length === 0) {
    return <section><h3>Deliveries</h3><p class="muted">No handler outcome reported for this event (no subscriber, or still running).</p></section>
  }
  const act = async (key: string, steps: number, subscription: string, owner: string | undefined, action: 'retry' | 'discard') => {
    setBusy({ key, steps, answered: false })
    const acted = await actOnDeadLetter(app, event, subscription, action, owner)
    setBusy(acted ? { key, steps, answered: true } : undefined)
  }
  return (
    <section>
      <h3>Deliveries</h3>
      {groups.map(({ key, subscription, producer: owner, tries }) => {
        const status = groupStatus(tries)
        const waiting = busy?.key === key && (!busy.answered || tries.length === busy.steps)
        // With a transport the handler may run in another process than the emitter, or in several.
        const handlers = [...new Set(tries.map((t) => t.producer))]
        const elsewhere = handlers.some((p) => p !== event.producer)
        let runs = 0
        let lastError = -1
        for (let i = 0; i < tries.length; i++) if (tries[i]!.error && !repeatsError(tries, i)) lastError = i
        return (
          <div key={key} class={`delivery delivery-${status.outcome}`}>
            <div class="delivery-head">
              <strong>{subscription}</strong>
              {elsewhere && <span class="muted" title="The bus (process) that ran this handler">on {handlers.map(app.producerName).join(', ')}</span>}
              <span class={`badge outcome-${status.outcome}`}>{status.label}</span>
              <span class="muted">{status.attempts} {status.attempts === 1 ? 'try' : 'tries'}, {formatDuration(tries.reduce((n, t) => n + t.durationMs, 0))}</span>
              <span class="spacer" />
              {status.inQueue && (
                <>
                  <button class="primary" disabled={waiting} onClick={() => act(key, tries.length, subscription, owner, 'retry')}>Retry delivery</button>
                  <button disabled={waiting} onClick={() => act(key, tries.length, subscription, owner, 'discard')}>Discard</button>
                </>
              )}
            </div>
            <ol class="tries">
              {tries.map((t, i) => {
                if (isAttempt(t) && !t.replay) runs++
                return (
                  <li key={i}>
                    <span class="muted">{formatTime(t.at)}</span>{' '}
                    {t.k === 'dead-lettered' ? `dead-lettered${tries.slice(0, i).some((p) => p.k === 'dead-lettered') ? ' again' : ''} after ${runs} ${runs === 1 ? 'try' : 'tries'}`
                      : t.k === 'discarded' ? 'dead letter discarded'
                      : `${t.replay ? 'replay, ' : ''}attempt ${t.attempt}: ${t.k} in ${formatDuration(t.durationMs)}`}
                    {handlers.length > 1 && ` on ${app.producerName(t.producer)}`}
                    {t.error && !repeatsError(tries, i) && (
                      <details class="error" open={i === lastError || undefined}>
                        <summary>{t.error.name}{t.error.code ? ` [${t.error.code}]` : ''}: {t.error.message}</summary>
                        {t.error.stack && <pre>{t.error.stack}</pre>}
                      </details>
                    )}
                  </li>
                )
              })}
            </ol>
            <ReplayPanel event={event} subscription={subscription} producer={owner ?? tries[tries.length - 1]!.producer} tries={tries} status={status} />
          </div>
        )
      })}
    </section>
  )
}

/** The operation this event belongs to, linked by correlationid and causationid. */
function Chain({ event, tick }: { event: RetainedEvent; tick: number }) {
  const app = useApp()
  const linked = event.envelope.correlationid !== undefined || event.envelope.causationid !== undefined
  const chain = useMemo(() => {
    return linked ? operationChain(app.events, event) : []
  }, [event, tick, linked])
  const path = producerPath((id) => app.events.find(id), event)
  return (
    <section>
      <h3>Operation chain</h3>
      {path.length > 1 && <p class="muted" title="The bus that emitted each event, from the first cause to this event">{path.map(app.producerName).join(' → ')}</p>}
      {!linked ? <p class="muted">This event has no correlationid or causationid.</p> : (
        <ol class="chain">
          {chain.map(({ event: e, depth }) => (
            <li key={e.seq} style={{ paddingLeft: `${depth * 16}px` }} class={e === event ? 'current' : ''}>
              <button class="link" onClick={() => (app.selected.value = e.seq)}>
                <span class="muted">{formatTime(e.at)}</span> {e.envelope.type}
              </button>{' '}
              <span class="muted" title={e.via === undefined ? 'The bus that emitted it' : 'The bus that received it through the transport; the emitting bus has not reported it'}>
                {app.producerName(e.producer)}{e.via === undefined ? '' : ' (received)'}
              </span>{' '}
              <OutcomeBadge outcome={e.outcome} />
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
