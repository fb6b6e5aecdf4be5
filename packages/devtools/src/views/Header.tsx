import { useRef } from 'preact/hooks'
import { theme, toggleTheme } from '../theme'
import { formatCount } from '../format'
import type { Tab } from '../state/url-state'
import { TABS } from '../state/url-state'
import { ConnectionBadge } from './ConnectionBadge'
import { useApp, useMetricsRedraw, useRedraw } from './context'

const TAB_LABELS: Record<Tab, string> = { stream: 'Stream', operations: 'Operations', sequence: 'Sequence', subscribers: 'Subscribers', charts: 'Charts', dlq: 'Dead letters', errors: 'Errors', catalog: 'Catalog', dispatch: 'Dispatch' }

function download(text: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function Header() {
  const app = useApp()
  useMetricsRedraw()
  useRedraw()
  const file = useRef<HTMLInputElement>(null)
  const tab = app.tab.value
  let dlq = 0
  let errors = 0
  for (const m of app.metrics.values()) {
    dlq += m.dlq.size
    errors += m.errors
  }
  const running = app.operations.countRunning()

  const exportSession = () => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    download(app.exportSession(), `tidings-session-${stamp}.ndjson`)
  }
  const importSession = async (input: HTMLInputElement) => {
    const chosen = input.files?.[0]
    if (!chosen) return
    app.importSession(await chosen.text(), chosen.name)
    input.value = ''
    app.tab.value = 'stream'
  }

  return (
    <header class="top">
      <h1>Tidings <span>devtools</span></h1>
      <ConnectionBadge />
      <nav role="tablist" aria-label="Views">
        {TABS.map((t) => (
          <button key={t} role="tab" aria-selected={t === tab} class={t === tab ? 'tab active' : 'tab'} onClick={() => (app.tab.value = t)}>
            {TAB_LABELS[t]}
            {t === 'dlq' && dlq > 0 && <span class="count-badge">{formatCount(dlq)}</span>}
            {t === 'errors' && errors > 0 && <span class="count-badge" title="reported by the buses">{formatCount(errors)}</span>}
            {t === 'operations' && running > 0 && <span class="count-badge running" title="running">{formatCount(running)}</span>}
          </button>
        ))}
      </nav>
      <span class="spacer" />
      <button onClick={exportSession} title="Save every kept event as NDJSON (one CloudEvent per line)">Export</button>
      <button onClick={() => file.current?.click()} title="Load an NDJSON export to inspect it">Import</button>
      <input ref={file} type="file" accept=".ndjson,.jsonl,.json,application/x-ndjson" hidden onChange={(e) => void importSession(e.currentTarget)} />
      <button class="icon" onClick={toggleTheme} aria-label={`Switch to ${theme.value === 'dark' ? 'light' : 'dark'} theme`} title="Theme">
        {theme.value === 'dark' ? '☀' : '☾'}
      </button>
    </header>
  )
}
