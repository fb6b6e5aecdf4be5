import { useState } from 'preact/hooks'
import { formatDuration } from '../format'
import type { RetainedEvent } from '../state/retained-event'
import { describeSpan, waterfall } from '../state/waterfall'
import type { WaterfallSpan } from '../state/waterfall'
import { useApp, useRedraw } from './context'

/** Each span is at least this wide, so the shortest try can be seen, pointed at and focused. */
const MIN_PX = 6

/**
 * Each subscription's tries of the event on one time axis from its emit: queue wait, run time,
 * backoff, retries and the dead-letter hop. Every span is a button, so Tab walks through them and
 * the line below says what the focused (or hovered) one is.
 */
export function WaterfallView({ event }: { event: RetainedEvent }) {
  const app = useApp()
  // Outcomes arrive on the event object in place: its props alone would never redraw this.
  useRedraw()
  const [shown, setShown] = useState<string>()
  const { start, end, lanes } = waterfall(event)
  if (lanes.length === 0) return null
  const length = Math.max(end - start, 1)
  // A lane's spans follow one another from the emit: each takes its share of what the minimum
  // widths leave, plus the minimum, so none covers another however short it is.
  const most = Math.max(...lanes.map((l) => l.spans.length))
  const share = (ms: number) => `(100% - ${most * MIN_PX}px) * ${(ms / length).toFixed(5)}`
  const spanText = (lane: string, span: WaterfallSpan) =>
    `${lane}: ${describeSpan(span, formatDuration)}, ${span.from === start ? 'at the emit' : `${formatDuration(span.from - start)} after the emit`}`
  return (
    <section aria-label="Handler waterfall">
      <h3>Waterfall <small class="muted">{formatDuration(end - start)} from emit to last outcome</small></h3>
      <div class="waterfall">
        {lanes.map((lane) => {
          const name = lane.producers.some((p) => p !== event.producer) ? `${lane.subscription} on ${lane.producers.map(app.producerName).join(', ')}` : lane.subscription
          return [
            <span key={`${lane.key}-label`} class="lane-label" title={name}>{name}</span>,
            <div key={`${lane.key}-track`} class="track" role="group" aria-label={`${name} tries`}>
              {lane.spans.map((span, i) => {
                const text = spanText(name, span)
                return (
                  <button
                    key={i}
                    class={`span span-${span.kind}${span.outcome ? ` span-${span.outcome}` : ''}`}
                    style={{ left: `calc(${share(span.from - start)} + ${i * MIN_PX}px)`, width: `calc(${share(span.to - span.from)} + ${MIN_PX}px)` }}
                    aria-label={text}
                    title={text}
                    onFocus={() => setShown(text)}
                    onMouseEnter={() => setShown(text)}
                  />
                )
              })}
            </div>,
          ]
        })}
        <div class="waterfall-axis" aria-hidden="true"><span>emit</span><span>+{formatDuration(length / 2)}</span><span>+{formatDuration(length)}</span></div>
      </div>
      <p class="waterfall-caption muted" aria-live="polite">{shown ?? 'Tab or hover over a span to see what it is.'}</p>
    </section>
  )
}
