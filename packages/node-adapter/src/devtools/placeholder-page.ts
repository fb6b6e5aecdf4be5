/**
 * Served until the devtools page (`@tidings/devtools`) is built: lists the connected producers and
 * the latest events, over the same WebSocket protocol the real page uses.
 */
export const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Tidings devtools</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222 }
  code, td { font-family: ui-monospace, monospace; font-size: 12px }
  table { border-collapse: collapse; width: 100% }
  td, th { text-align: left; padding: 2px 8px; border-bottom: 1px solid #eee }
  .failed, .dead-lettered { color: #b00 }
  .delivered { color: #070 }
</style>
</head>
<body>
<h1>Tidings devtools</h1>
<p id="status">connecting…</p>
<p>The full page is not built: run <code>npm run build -w @tidings/devtools</code>. Meanwhile, the live traffic:</p>
<h2>Producers</h2>
<ul id="producers"></ul>
<h2>Latest events</h2>
<table><thead><tr><th>time</th><th>producer</th><th>record</th><th>type</th><th>detail</th></tr></thead><tbody id="events"></tbody></table>
<script type="module">
const MAX_ROWS = 200
const names = new Map()
const rows = document.getElementById('events')
const status = document.getElementById('status')
const url = new URL('/ws', location.href)
url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
url.search = location.search
const ws = new WebSocket(url)
ws.onopen = () => ws.send(JSON.stringify({ v: 1, t: 'hello', role: 'viewer', name: 'placeholder page' }))
ws.onclose = (e) => { status.textContent = 'disconnected (' + e.code + '): reload to reconnect' }
const cell = (text) => { const td = document.createElement('td'); td.textContent = text; return td }
const show = (producer, records) => {
  for (const r of records) {
    const tr = document.createElement('tr')
    tr.className = r.k
    const type = r.k === 'emitted' ? r.envelope.type : r.type
    const detail = r.k === 'emitted' ? JSON.stringify(r.envelope.data) : r.subscription + ' #' + r.attempt + ' ' + r.durationMs.toFixed(2) + ' ms' + (r.error ? ' ' + r.error.message : '')
    tr.append(cell(new Date(r.at).toLocaleTimeString()), cell(names.get(producer) ?? producer), cell(r.k), cell(type), cell(detail))
    rows.prepend(tr)
  }
  while (rows.children.length > MAX_ROWS) rows.lastChild.remove()
}
ws.onmessage = (message) => {
  const frame = JSON.parse(message.data)
  if (frame.t === 'welcome') status.textContent = 'connected'
  else if (frame.t === 'producers') {
    const list = document.getElementById('producers')
    list.replaceChildren(...frame.producers.map((p) => {
      names.set(p.id, p.name)
      const li = document.createElement('li')
      li.textContent = p.name + ' (' + p.source + ', ' + (p.runtime ?? '?') + ') — ' + p.catalog.length + ' types, ' + p.dropped + ' dropped'
      return li
    }))
  } else if (frame.t === 'backlog') for (const f of frame.frames) show(f.producer, f.records)
  else if (frame.t === 'traffic') show(frame.producer, frame.records)
}
</script>
</body>
</html>
`
