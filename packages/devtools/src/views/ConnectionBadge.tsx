import { useEffect, useState } from 'preact/hooks'
import { formatCount } from '../format'
import { useApp } from './context'

/** Always in view: whether the page is live, and if not, what it is doing about it. */
export function ConnectionBadge() {
  const app = useApp()
  const state = app.connection.value
  const producers = app.producers.value
  const [, setNow] = useState(0)
  useEffect(() => {
    if (state.status !== 'waiting') return
    const timer = setInterval(() => setNow(Date.now()), 250)
    return () => clearInterval(timer)
  }, [state])

  let text: string
  let title: string
  if (state.status === 'open') {
    text = producers.length ? `Live · ${producers.length} bus${producers.length === 1 ? '' : 'es'}` : 'Live · no bus yet'
    title = producers.map((p) => `${p.name} (${p.source}${p.pid ? `, pid ${p.pid}` : ''})`).join('\n') || 'Connected to the hub; no bus has connected'
  } else if (state.status === 'connecting') {
    text = state.attempt ? `Reconnecting (try ${state.attempt + 1})…` : 'Connecting…'
    title = 'Opening the WebSocket to the hub'
  } else {
    const inS = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000))
    text = `Offline · retry in ${inS} s`
    title = `Lost the hub: ${state.reason}. The page retries on its own.`
  }
  const backlog = app.backlog.value
  const dropped = app.dropped.value
  return (
    <div class="connection" role="status" aria-live="polite">
      <span class={`dot ${state.status}`} aria-hidden="true" />
      <span title={title}>{text}</span>
      {backlog > 4 && <span class="warn" title="Frames received but not yet processed: the page is behind the traffic">behind by {formatCount(backlog)} frames</span>}
      {dropped > 0 && <span class="warn" title="Records the producers or the hub dropped because the page or the hub could not keep up">{formatCount(dropped)} dropped</span>}
    </div>
  )
}
