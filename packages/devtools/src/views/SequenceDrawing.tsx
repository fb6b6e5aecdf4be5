import type { JSX } from 'preact'
import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import { formatTime } from '../format'
import type { SequenceDiagram, SequenceStep } from '../state/sequence'
import { useApp } from './context'

const LANE_W = 210
const NODE_W = 170
const NODE_H = 22
const ROW_GAP = 12
const HANDLER_H = 18

const laneX = (lane: number) => lane * LANE_W + LANE_W / 2
const rowHeight = (step: SequenceStep) => NODE_H + ROW_GAP + step.handlers.length * HANDLER_H

const OUTCOME_CLASS = { delivered: 'ok', failing: 'bad', 'dead-lettered': 'bad' } as const
const MARK = { delivered: '✓', failing: '✗', 'dead-lettered': '✗' } as const

/** Rows drawn beyond the visible part, above and below, so a scroll shows drawn rows at once. */
const OVERDRAW_PX = 600

/**
 * The diagram itself: lifelines and arrows in SVG, the events as buttons over it (↑ ↓ Home End
 * move, Enter opens the event). Only the rows near the visible part are drawn, and the arrows
 * that reach them, so a long operation costs what a screenful does.
 */
export function SequenceDrawing({ diagram }: { diagram: SequenceDiagram }) {
  const app = useApp()
  const box = useRef<HTMLDivElement>(null)
  const [view, setView] = useState({ top: 0, height: 800 })
  const [focusRow, setFocusRow] = useState<number>()
  const tops: number[] = []
  let height = 8
  for (const step of diagram.steps) {
    tops.push(height)
    height += rowHeight(step)
  }
  const from = view.top - OVERDRAW_PX
  const to = view.top + view.height + OVERDRAW_PX
  const near = (row: number) => tops[row]! + rowHeight(diagram.steps[row]!) >= from && tops[row]! <= to
  const width = diagram.lanes.length * LANE_W
  const arrows: JSX.Element[] = []
  const labels: JSX.Element[] = []
  const nodes: number[] = []
  diagram.steps.forEach((step, row) => {
    const x = laneX(step.lane)
    const top = tops[row]!
    const shown = near(row)
    if (shown) nodes.push(row)
    // An arrow from a cause far above still crosses the visible part.
    if (step.cause !== undefined && (shown || (tops[step.cause]! < to && top > from))) {
      const from = diagram.steps[step.cause]!
      const fx = laneX(from.lane)
      const fy = tops[step.cause]! + NODE_H
      // Along one lifeline the arrow runs down a rail left of the events: a cause's many effects share it, drawn as one line.
      const rail = x - NODE_W / 2
      // Across lanes it runs from the cause's side to the effect's facing side, clear of the handler labels under the cause.
      const side = NODE_W / 2 * Math.sign(x - fx)
      const d = fx === x ? `M${rail} ${fy - NODE_H / 2} H${rail - 12} V${top + NODE_H / 2} H${rail}`
        : `M${fx + side} ${fy - NODE_H / 2} L${x - side} ${top + NODE_H / 2}`
      arrows.push(<path key={`c${row}`} d={d} class="seq-cause" marker-end="url(#seq-arrow)" />)
    }
    if (!shown) return
    step.handlers.forEach((h, i) => {
      const y = top + NODE_H + 4 + i * HANDLER_H + HANDLER_H / 2
      const hx = laneX(h.lane)
      const to = hx === x ? x + 18 : hx
      const cls = OUTCOME_CLASS[h.status.outcome]
      arrows.push(<path key={`h${row}-${i}`} d={`M${x} ${y} L${to} ${y}`} class={`seq-handler ${cls}`} marker-end="url(#seq-arrow)" />)
      labels.push(
        <span key={`l${row}-${i}`} class={`seq-handler-label ${cls}`} style={{ left: `${Math.max(to, x) + 6}px`, top: `${y - HANDLER_H / 2}px` }}>
          {MARK[h.status.outcome]} {h.subscription} <span class="muted">{h.status.label}</span>
        </span>,
      )
    })
  })

  const open = (step: SequenceStep) => {
    app.selected.value = step.event.seq
    app.tab.value = 'stream'
  }
  const last = diagram.steps.length - 1
  const onKeyDown = (e: KeyboardEvent) => {
    const at = Number((document.activeElement as HTMLElement | null)?.dataset.row ?? -1)
    const next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: last }[e.key]
    if (next === undefined || at < 0) return
    e.preventDefault()
    const row = Math.max(0, Math.min(last, next))
    const el = box.current!
    // Scrolled so the row is drawn, then focused once it is.
    if (tops[row]! < el.scrollTop + 40 || tops[row]! + NODE_H > el.scrollTop + el.clientHeight) el.scrollTop = Math.max(0, tops[row]! - el.clientHeight / 3)
    setView({ top: el.scrollTop, height: el.clientHeight })
    setFocusRow(row)
  }
  useLayoutEffect(() => {
    if (focusRow === undefined) return
    box.current?.querySelector<HTMLButtonElement>(`.seq-node[data-row="${focusRow}"]`)?.focus()
    setFocusRow(undefined)
  }, [focusRow])
  useLayoutEffect(() => {
    const el = box.current!
    let frame = 0
    const measure = () => {
      frame = 0
      setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }))
    }
    const onScroll = () => void (frame ||= requestAnimationFrame(measure))
    measure()
    el.addEventListener('scroll', onScroll)
    return () => {
      el.removeEventListener('scroll', onScroll)
      cancelAnimationFrame(frame)
    }
  }, [])

  return (
    <div class="seq-scroll" ref={box} onKeyDown={onKeyDown}>
      <div class="seq-lanes" style={{ width: `${width}px` }}>
        {diagram.lanes.map((p) => <div key={p} class="seq-lane-head" style={{ width: `${LANE_W}px` }} title={p}>{app.producerName(p)}</div>)}
      </div>
      <div class="seq-canvas" style={{ width: `${width}px`, height: `${height}px` }}>
        <svg width={width} height={height} aria-hidden="true">
          <defs>
            <marker id="seq-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0 0 L8 4 L0 8 z" class="seq-arrowhead" />
            </marker>
          </defs>
          {diagram.lanes.map((p, i) => <line key={p} x1={laneX(i)} x2={laneX(i)} y1={0} y2={height} class="seq-lifeline" />)}
          {arrows}
        </svg>
        {nodes.map((row) => {
          const step = diagram.steps[row]!
          const handled = step.handlers.map((h) => `${h.subscription} on ${app.producerName(diagram.lanes[h.lane]!)}: ${h.status.label}`).join('; ')
          const cause = step.cause === undefined ? '' : `, caused by ${diagram.steps[step.cause]!.event.envelope.type}`
          return (
            <button
              key={step.event.seq}
              data-row={row}
              class={`seq-node outcome-${step.event.outcome}`}
              style={{ left: `${laneX(step.lane) - NODE_W / 2}px`, top: `${tops[row]}px`, width: `${NODE_W}px`, height: `${NODE_H}px` }}
              aria-label={`${step.event.envelope.type} on ${app.producerName(step.event.producer)} at ${formatTime(step.event.at)}${cause}${handled ? `; handled by ${handled}` : '; no handler reported'}`}
              title={`${formatTime(step.event.at)} · ${step.event.envelope.id} — Enter opens it in the stream`}
              onClick={() => open(step)}
            >
              {step.event.envelope.type}
            </button>
          )
        })}
        {labels}
      </div>
    </div>
  )
}
