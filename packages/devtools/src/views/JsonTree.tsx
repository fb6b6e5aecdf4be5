import { useState } from 'preact/hooks'
import { flattenJson, toggle } from '../state/json-tree'

/** A JSON value as collapsible lines; containers deeper than `openDepth` start closed. */
export function JsonTree({ value, openDepth = 2, label }: { value: unknown; openDepth?: number; label: string }) {
  const [toggled, setToggled] = useState<ReadonlySet<string>>(() => new Set())
  const nodes = flattenJson(value, { openDepth, toggled })
  return (
    <div class="json-tree" role="tree" aria-label={label}>
      {nodes.map((n) => {
        const container = n.kind === 'object' || n.kind === 'array'
        return (
          <div key={n.path} class="json-line" role="treeitem" aria-expanded={container ? n.expanded : undefined} style={{ paddingLeft: `${n.depth * 14}px` }}>
            {container ? (
              <button class="json-toggle" aria-label={n.expanded ? 'Collapse' : 'Expand'} onClick={() => setToggled(toggle(toggled, n.path))}>
                {n.expanded ? '▾' : '▸'}
              </button>
            ) : <span class="json-toggle" />}
            {n.key !== undefined && <span class="json-key">{n.key}: </span>}
            <span class={`json-${n.kind}`}>{n.text}</span>
          </div>
        )
      })}
    </div>
  )
}
