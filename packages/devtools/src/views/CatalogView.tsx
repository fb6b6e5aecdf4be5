import { useState } from 'preact/hooks'
import type { CatalogEntry } from '@tidings/core'
import { catalogConflicts } from '../state/catalog-conflicts'
import { useApp } from './context'
import { JsonTree } from './JsonTree'

/** Every connected bus's event types, versions and payload schemas. */
export function CatalogView() {
  const app = useApp()
  const producers = app.producers.value
  const [open, setOpen] = useState<string>()
  const conflicts = catalogConflicts(producers)
  const dispatch = (producer: string, entry: CatalogEntry) => {
    app.dispatchTarget.value = { producer, type: entry.type }
    app.tab.value = 'dispatch'
  }
  if (producers.length === 0) return <p class="empty">No bus is connected: the catalog comes from each bus when it connects.</p>
  return (
    <div class="catalog">
      {conflicts.size > 0 && (
        <div class="result bad" role="status">
          <strong>{conflicts.size === 1 ? 'One type is' : `${conflicts.size} types are`} defined differently by the connected buses</strong>
          <ul>{[...conflicts.values()].map((text) => <li key={text}>{text}</li>)}</ul>
        </div>
      )}
      {producers.map((p) => (
        <section key={p.id} class="card">
          <h2>{p.name} <small>{p.source}{p.runtime ? ` · ${p.runtime}` : ''}{p.pid ? ` · pid ${p.pid}` : ''}</small></h2>
          {p.catalog.length === 0 ? <p class="muted">This bus has no catalog (it is untyped): any type can be dispatched.</p> : (
            <table class="catalog-table">
              <thead><tr><th>type</th><th>version</th><th>schema</th><th>persisted</th><th>description</th><th /></tr></thead>
              <tbody>
                {p.catalog.map((entry) => {
                  const key = `${p.id}\u0000${entry.type}`
                  return [
                    <tr key={key} class={open === key ? 'open' : ''} onClick={() => setOpen(open === key ? undefined : key)}>
                      <td>
                        <button class="link" aria-expanded={open === key}>{open === key ? '▾' : '▸'} {entry.type}</button>
                        {conflicts.has(entry.type) && <span class="badge conflict" title={conflicts.get(entry.type)}>defined differently</span>}
                      </td>
                      <td class="num">v{entry.version}</td>
                      <td><span class="badge vendor" title={`Payload schema written with ${entry.vendor ?? 'an unknown library'}`}>{entry.vendor ?? '?'}</span></td>
                      <td>{entry.persist ? 'yes' : 'no'}</td>
                      <td>{entry.description ?? ''}</td>
                      <td class="actions" onClick={(e) => e.stopPropagation()}>
                        <button onClick={() => dispatch(p.id, entry)}>Dispatch…</button>
                      </td>
                    </tr>,
                    open === key && (
                      <tr key={`${key}-schema`}>
                        <td colSpan={6}>
                          {entry.schema ? <JsonTree value={entry.schema} openDepth={3} label={`JSON Schema of ${entry.type}`} />
                            : <p class="muted">This {entry.vendor ? `${entry.vendor} ` : ''}schema offers no JSON Schema (its library does not implement Standard JSON Schema, or it uses checks JSON Schema cannot express).</p>}
                        </td>
                      </tr>
                    ),
                  ]
                })}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </div>
  )
}
