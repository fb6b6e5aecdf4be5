import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { JSX, TargetedKeyboardEvent } from 'preact'
import { formatCount, formatDuration, formatTime } from '../format'
import { isAttempt } from '../state/delivery-groups'
import { restingTop, rowWindow } from '../state/row-window'
import { useApp, useRedraw } from './context'
import { OutcomeBadge } from './OutcomeBadge'

const ROW_HEIGHT = 24
const OVERSCAN = 4
/** Within this distance of the bottom the list counts as "at the end" and keeps following new events. */
const FOLLOW_SLACK = ROW_HEIGHT * 2

/**
 * Only the rows in view are rendered, so 100k retained events cost as much to draw as 40.
 * The list follows new events until the user scrolls up or picks one.
 */
export function StreamList() {
  const app = useApp()
  useRedraw()
  const selected = app.selected.value
  const box = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(600)
  const [following, setFollowing] = useState(true)
  const seenAtUnfollow = useRef(0)
  const { view, events } = app
  const total = view.length
  // The event at the top of the view while the user reads: evicting older events shifts every
  // index, and the view must not slide away under them.
  const anchor = useRef<{ seq: number; offset: number } | undefined>(undefined)
  const resting = restingTop(anchor.current && { index: view.indexOf(anchor.current.seq), offset: anchor.current.offset }, scrollTop, ROW_HEIGHT)
  const { top, first, last } = rowWindow(total, ROW_HEIGHT, height, resting, following, OVERSCAN)

  useLayoutEffect(() => {
    const el = box.current
    if (!el) return
    const observer = new ResizeObserver(() => setHeight(el.clientHeight))
    observer.observe(el)
    return () => observer.disconnect()
  }, [])

  // The rows drawn are those at `top`: the element scrolls there, never the other way round.
  useLayoutEffect(() => {
    const el = box.current
    if (el && Math.abs(el.scrollTop - top) >= 1) el.scrollTop = top
  })

  const rememberTop = () => {
    const el = box.current
    const seq = el ? view.seqAt(Math.floor(el.scrollTop / ROW_HEIGHT)) : undefined
    anchor.current = seq === undefined ? undefined : { seq, offset: el!.scrollTop % ROW_HEIGHT }
  }

  /** Scrolls where the code wants the view, and rests there: the next draw must not put it back. */
  const scrollTo = (wanted: number) => {
    const el = box.current
    if (!el) return
    el.scrollTop = wanted
    rememberTop()
    setScrollTop(el.scrollTop)
  }

  // After a filter change, the selected event stays in sight (the user picked it for a reason).
  const filter = app.filter.value
  useLayoutEffect(() => {
    const index = selected === undefined ? -1 : view.indexOf(selected)
    const el = box.current
    if (index >= 0 && el && !following) scrollTo(index * ROW_HEIGHT - el.clientHeight / 2)
  }, [filter])

  const unfollow = () => {
    if (following) {
      seenAtUnfollow.current = events.nextSeq
      rememberTop()
      // While following, scrolls were not recorded (see onScroll): the view rests where it is now.
      setScrollTop(box.current?.scrollTop ?? 0)
    }
    setFollowing(false)
  }

  const onScroll = () => {
    const el = box.current!
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - FOLLOW_SLACK
    // While following, the list scrolls itself every frame: redrawing again for that scroll would double the work.
    if (atEnd && following) return
    setScrollTop(el.scrollTop)
    rememberTop()
    if (atEnd) setFollowing(true)
    else if (following) unfollow()
  }

  const reveal = (index: number) => {
    const el = box.current
    if (!el) return
    const rowTop = index * ROW_HEIGHT
    if (rowTop < el.scrollTop) scrollTo(rowTop)
    else if (rowTop + ROW_HEIGHT > el.scrollTop + el.clientHeight) scrollTo(rowTop + ROW_HEIGHT - el.clientHeight)
  }

  const select = (index: number) => {
    const clamped = Math.max(0, Math.min(total - 1, index))
    const seq = view.seqAt(clamped)
    if (seq === undefined) return
    unfollow()
    app.selected.value = seq
    reveal(clamped)
  }

  const followLatest = () => {
    setFollowing(true)
    const el = box.current
    if (el) el.scrollTop = el.scrollHeight
  }

  const onKeyDown = (e: TargetedKeyboardEvent<HTMLDivElement>) => {
    const current = selected === undefined ? -1 : view.indexOf(selected)
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1)
    const moves: Record<string, () => void> = {
      ArrowDown: () => select(current < 0 ? total - 1 : current + 1),
      j: () => select(current < 0 ? total - 1 : current + 1),
      ArrowUp: () => select(current < 0 ? total - 1 : current - 1),
      k: () => select(current < 0 ? total - 1 : current - 1),
      PageDown: () => select(current + page),
      PageUp: () => select(Math.max(0, current - page)),
      Home: () => select(0),
      End: () => {
        select(total - 1)
        followLatest()
      },
      Escape: () => (app.selected.value = undefined),
    }
    const move = moves[e.key]
    if (!move || e.altKey || e.ctrlKey || e.metaKey) return
    e.preventDefault()
    move()
  }

  // Rows are keyed by slot, not by event: as the window moves, the same elements get new text
  // instead of being removed and created, which is most of the cost at high rates.
  const slots = Math.ceil(height / ROW_HEIGHT) + 2 * OVERSCAN + 2
  const rows: JSX.Element[] = []
  for (let i = first; i < last; i++) {
    const seq = view.seqAt(i)!
    const e = events.at(seq)
    if (!e) continue
    rows.push(
      <div
        key={i % slots}
        role="option"
        aria-selected={seq === selected}
        class={`row${seq === selected ? ' selected' : ''}${e.imported ? ' imported' : ''}`}
        style={{ transform: `translateY(${i * ROW_HEIGHT}px)` }}
        onClick={() => {
          unfollow()
          app.selected.value = seq
        }}
        data-seq={seq}
      >
        <span class="c-time">{formatTime(e.at)}</span>
        <span class="c-type" title={e.envelope.type}>{e.envelope.type}</span>
        <span class="c-source" title={e.via === undefined ? e.envelope.source : `${e.envelope.source}, received through the transport`}>
          {e.imported && <span class="imported-mark" title="Imported from a session file">⤓ </span>}{app.producerName(e.producer)}
        </span>
        <span class="c-outcome"><OutcomeBadge outcome={e.outcome} /></span>
        <span class="c-ms">{e.deliveries.some(isAttempt) ? formatDuration(e.handlerMs) : '—'}</span>
      </div>,
    )
  }

  const newSince = Math.max(0, events.nextSeq - seenAtUnfollow.current)
  return (
    <div class="stream">
      <div class="stream-head row" aria-hidden="true">
        <span class="c-time">time</span><span class="c-type">type</span><span class="c-source">source</span>
        <span class="c-outcome">outcome</span><span class="c-ms">handler time</span>
      </div>
      <div
        ref={box}
        class="stream-body"
        role="listbox"
        aria-label="Events"
        tabIndex={0}
        onScroll={onScroll}
        onWheel={(e) => e.deltaY < 0 && unfollow()}
        onKeyDown={onKeyDown}
      >
        <div class="stream-spacer" style={{ height: `${total * ROW_HEIGHT}px` }}>{rows}</div>
        {total === 0 && <EmptyStream />}
      </div>
      {!following && (
        <button class="primary follow" onClick={followLatest} title="Scroll to the newest event and follow new ones (End)">
          ↓ Latest{newSince ? ` (${formatCount(newSince)} new)` : ''}
        </button>
      )}
    </div>
  )
}

function EmptyStream() {
  const app = useApp()
  const connected = app.connection.value.status === 'open'
  const producers = app.producers.value.length
  const text = app.events.size > 0 ? 'No event matches the filters.'
    : !connected ? 'Waiting for the hub…'
    : producers === 0 ? 'No bus is connected yet: call connectDevtools(bus, { url }) with the URL `tidings devtools` printed.'
    : 'Connected. Events appear here as the buses emit them.'
  return <p class="empty">{text}</p>
}
