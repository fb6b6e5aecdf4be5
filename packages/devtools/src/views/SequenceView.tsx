import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import { formatTime } from '../format'
import { listOperations, sequenceDiagram } from '../state/sequence'
import type { SequenceDiagram } from '../state/sequence'
import { useApp, useRedraw } from './context'
import { SequenceDrawing } from './SequenceDrawing'
import { CopyCode } from './CopyCode'
import { operationTestSnippet } from '../state/code-snippets'

/** The operation list and the diagram scan every kept event: rebuilt every this many redraws (1.5 s at most) while traffic flows. */
const REFRESH_TICKS = 30

/**
 * An operation (correlation id) as a sequence diagram: a lane per bus/process, its events in time
 * order on the lane of the bus that emitted them, arrows from each event to the events it caused
 * and to the subscriptions that handled it, wherever they ran.
 */
export function SequenceView() {
  const app = useApp()
  const tick = Math.floor(useRedraw() / REFRESH_TICKS)
  const started = useRef(0)
  started.current = performance.now()
  const operations = useMemo(() => listOperations(app.events), [tick])
  const chosen = app.operation.value ?? operations[0]?.correlationid
  const [drawnMs, setDrawnMs] = useState<number>()
  const diagram = useMemo((): SequenceDiagram | undefined => {
    return chosen === undefined ? undefined : sequenceDiagram(app.events, chosen)
  }, [chosen, tick])
  // From this render's start (the operations listed, the diagram built) to the DOM holding it: what "renders in under 100 ms" is measured on.
  useLayoutEffect(() => setDrawnMs(performance.now() - started.current), [diagram])

  return (
    <div class="sequence">
      <div class="toolbar">
        <h2>Sequence</h2>
        <label>
          Operation{' '}
          <select aria-label="Operation" value={chosen ?? ''} onChange={(e) => (app.operation.value = e.currentTarget.value || undefined)}>
            {chosen !== undefined && !operations.some((o) => o.correlationid === chosen) && <option value={chosen}>{chosen}</option>}
            {operations.map((o) => (
              <option key={o.correlationid} value={o.correlationid}>
                {o.first.envelope.type} · {o.count} event{o.count === 1 ? '' : 's'} · {formatTime(o.first.at)} · {o.correlationid}
              </option>
            ))}
          </select>
        </label>
        {diagram && diagram.steps.length > 0 && (
          <small class="muted" data-testid="sequence-summary">
            {diagram.steps.length} events{diagram.truncated ? ' (the first ones)' : ''} · {diagram.lanes.length} {diagram.lanes.length === 1 ? 'bus' : 'buses'}
            {drawnMs !== undefined && ` · drawn in ${Math.round(drawnMs)} ms`}
          </small>
        )}
      </div>
      {diagram && diagram.steps.length > 0 && (
        <div class="seq-code">
          <CopyCode key={chosen} label="operation as a vitest test" code={() => operationTestSnippet(diagram, app.producerName)} />
        </div>
      )}
      {chosen === undefined ? (
        <p class="empty">No operation yet. Events that carry a <code>correlationid</code> (every event emitted with <code>causedBy(envelope)</code> from a handler, or with <code>{'{ correlationid }'}</code>) are grouped into operations here.</p>
      ) : diagram && diagram.steps.length > 0 ? <SequenceDrawing diagram={diagram} /> : <p class="empty">No kept event belongs to the operation {chosen}.</p>}
    </div>
  )
}
