import { useEffect, useState } from 'preact/hooks'
import { formatCount } from '../format'
import type { Filter } from '../state/filter'
import { OUTCOMES } from '../state/retained-event'
import type { Outcome } from '../state/retained-event'
import { useApp, useRedraw } from './context'
import { outcomeLabel } from './OutcomeBadge'

const TYPING_PAUSE_MS = 150

/** A text field that applies its value once the user stops typing: a search over 100k events is not free. */
function DebouncedInput(props: { value: string; onChange: (value: string) => void; placeholder: string; label: string; id: string }) {
  const [text, setText] = useState(props.value)
  useEffect(() => setText(props.value), [props.value])
  useEffect(() => {
    if (text === props.value) return
    const timer = setTimeout(() => props.onChange(text), TYPING_PAUSE_MS)
    return () => clearTimeout(timer)
  }, [text])
  return (
    <input
      id={props.id}
      type="search"
      aria-label={props.label}
      placeholder={props.placeholder}
      value={text}
      onInput={(e) => setText(e.currentTarget.value)}
      onKeyDown={(e) => e.key === 'Enter' && props.onChange(text)}
    />
  )
}

export function FilterBar() {
  const app = useApp()
  useRedraw()
  const filter = app.filter.value
  // Reads the filter when applied, not when rendered: two debounced fields may apply one after the other.
  const set = (patch: Partial<Filter>) => app.setFilter({ ...app.filter.value, ...patch })
  // Read for its redraw: the directory changes with the producers.
  void app.producers.value
  const sources = app.directory.names()
  // A link made before names carries a bus's id: shown by the bus's name.
  if (filter.source && !sources.some((s) => s.name === filter.source)) sources.push({ name: filter.source, online: app.directory.isOnline(filter.source) })
  const paused = app.paused.value
  const counts = app.events.countsByType()

  return (
    <div class="filters">
      <div class="filter-row">
        <DebouncedInput id="filter-type" label="Type pattern" placeholder="type: order.* or text" value={filter.type} onChange={(type) => set({ type })} />
        <select aria-label="Source" value={filter.source} onChange={(e) => set({ source: e.currentTarget.value })}>
          <option value="">all sources</option>
          {sources.map((s) => <option key={s.name} value={s.name}>{app.producerName(s.name)}{s.online ? '' : ' (offline)'}</option>)}
        </select>
        <select aria-label="Outcome" value={filter.outcome} onChange={(e) => set({ outcome: e.currentTarget.value as Outcome | '' })}>
          <option value="">all outcomes</option>
          {OUTCOMES.map((o) => <option key={o} value={o}>{outcomeLabel(o)}</option>)}
        </select>
        <DebouncedInput id="filter-search" label="Search payloads" placeholder="search payloads  ( / )" value={filter.q} onChange={(q) => set({ q })} />
        <span class="spacer" />
        <span class="count" aria-live="off">
          {formatCount(app.view.length)} shown · {formatCount(app.events.size)} kept
        </span>
        <button class={paused ? 'primary' : ''} onClick={() => (paused ? app.resume() : app.pause())} title="Pause the list; what arrives meanwhile is held (p)">
          {paused ? `▶ Resume${app.held.value ? ` (${formatCount(app.held.value)} held)` : ''}` : '❚❚ Pause'}
        </button>
        <button onClick={() => app.clear()} title="Forget every kept event">Clear</button>
      </div>
      {filter.correlation && (
        <div class="filter-row muted-row">
          <span>Operation:</span>
          <button class="chip" title="Show every event again" onClick={() => set({ correlation: '' })}>
            correlationid {filter.correlation} ×
          </button>
        </div>
      )}
      {filter.muted.length > 0 && (
        <div class="filter-row muted-row">
          <span>Muted:</span>
          {filter.muted.map((type) => (
            <button key={type} class="chip" title="Show this type again" onClick={() => set({ muted: filter.muted.filter((t) => t !== type) })}>
              {type} <small>{formatCount(counts.get(type) ?? 0)} hidden</small> ×
            </button>
          ))}
        </div>
      )}
    </div>
  )
}
