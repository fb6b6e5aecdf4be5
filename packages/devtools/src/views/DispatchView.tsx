import { useEffect, useState } from 'preact/hooks'
import type { CloudEventJSON } from '@tidings/core'
import { CommandError } from '../hub-connection'
import { checkDraft } from '../state/dispatch-draft'
import { exampleFromSchema } from '../state/schema-example'
import { useApp } from './context'
import { JsonTree } from './JsonTree'

type Outcome = { ok: true; envelope: CloudEventJSON } | { ok: false; message: string; details?: Record<string, unknown> }

const templateFor = (schema: Record<string, unknown> | undefined) =>
  schema ? JSON.stringify(exampleFromSchema(schema), null, 2) : '{\n  \n}'

/** Emits an event on a chosen bus, with a payload editor checked against the type's JSON Schema as you type. */
export function DispatchView() {
  const app = useApp()
  const producers = app.producers.value
  const target = app.dispatchTarget.value
  const [producerId, setProducerId] = useState(target?.producer ?? producers[0]?.id ?? '')
  const [type, setType] = useState(target?.type ?? '')
  const [text, setText] = useState('')
  const [correlationid, setCorrelationid] = useState('')
  const [causationid, setCausationid] = useState('')
  const [outcome, setOutcome] = useState<Outcome>()
  const [sending, setSending] = useState(false)
  const producer = producers.find((p) => p.id === producerId) ?? producers[0]
  const entry = producer?.catalog.find((e) => e.type === type)
  const check = checkDraft(text, entry?.schema)

  useEffect(() => {
    if (!target) return
    setProducerId(target.producer)
    setType(target.type)
    app.dispatchTarget.value = undefined
  }, [target])

  // A new type gets a payload of its schema's shape; what the user typed for the old one would not fit.
  useEffect(() => setText(templateFor(entry?.schema)), [producer?.id, entry?.type])

  if (!producer) return <p class="empty">No bus is connected: dispatch needs a bus to emit on.</p>

  const send = async (e: Event) => {
    e.preventDefault()
    if (!check.ok || !type) return
    setSending(true)
    try {
      const args = {
        type,
        ...(check.data === undefined ? {} : { data: check.data }),
        ...(correlationid ? { correlationid } : {}),
        ...(causationid ? { causationid } : {}),
      }
      const { envelope } = await app.command(producer.id, 'dispatch', args)
      setOutcome({ ok: true, envelope })
      app.notify('success', `Dispatched ${envelope.type} (${envelope.id}) on ${producer.name}`)
    } catch (error) {
      const details = error instanceof CommandError ? error.details : undefined
      const code = error instanceof CommandError ? `${error.code}: ` : ''
      setOutcome({ ok: false, message: `${code}${(error as Error).message}`, ...(details ? { details } : {}) })
    }
    setSending(false)
  }

  return (
    <form class="dispatch" onSubmit={send}>
      <div class="form-row">
        <label>Bus
          <select value={producer.id} onChange={(e) => setProducerId(e.currentTarget.value)}>
            {producers.map((p) => <option key={p.id} value={p.id}>{p.name} ({p.source})</option>)}
          </select>
        </label>
        <label>Type
          <input list="dispatch-types" value={type} required placeholder="order.placed" onInput={(e) => setType(e.currentTarget.value)} />
          <datalist id="dispatch-types">
            {producer.catalog.map((c) => <option key={c.type} value={c.type}>v{c.version}</option>)}
          </datalist>
        </label>
        <label>correlationid <input value={correlationid} placeholder="optional" onInput={(e) => setCorrelationid(e.currentTarget.value)} /></label>
        <label>causationid <input value={causationid} placeholder="optional" onInput={(e) => setCausationid(e.currentTarget.value)} /></label>
      </div>
      <label class="editor-label" for="dispatch-data">
        Payload (JSON){entry ? ` — checked against ${entry.type} v${entry.version}` : producer.catalog.length ? ' — not a type of this catalog: the bus will refuse it' : ''}
      </label>
      <textarea
        id="dispatch-data"
        class={check.ok ? 'editor' : 'editor invalid'}
        spellcheck={false}
        rows={12}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {check.ok ? <p class="result ok">Valid{entry?.schema ? ' against the schema' : ' JSON'}.</p> : (
        <ul class="result bad" aria-label="Problems">{check.errors.map((m) => <li key={m}>{m}</li>)}</ul>
      )}
      <div class="form-row">
        <button class="primary" type="submit" disabled={!check.ok || !type || sending}>Dispatch on {producer.name}</button>
        <button type="button" onClick={() => setText(templateFor(entry?.schema))}>Reset payload</button>
      </div>
      {outcome && (outcome.ok ? (
        <div class="result ok" role="status">
          Emitted <code>{outcome.envelope.id}</code>
          <JsonTree value={outcome.envelope} label="Emitted envelope" openDepth={1} />
        </div>
      ) : (
        <div class="result bad" role="status">
          {outcome.message}
          {outcome.details && <JsonTree value={outcome.details} label="Error details" />}
        </div>
      ))}
    </form>
  )
}
