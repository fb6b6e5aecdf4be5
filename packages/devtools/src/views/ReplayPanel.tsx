import { useState } from 'preact/hooks'
import type { ErrorInfo } from '@tidings/core'
import { formatDuration } from '../format'
import type { GroupStatus } from '../state/delivery-groups'
import { payloadDiff } from '../state/payload-diff'
import type { Delivery, RetainedEvent } from '../state/retained-event'
import { useApp } from './context'

interface Outcome {
  before: string
  attempt: number
  delivered: boolean
  error?: ErrorInfo
  changes: ReturnType<typeof payloadDiff>
}

/**
 * Sends the event once more to this one subscription, on the bus that runs it, optionally with an
 * edited payload; then shows the new outcome beside the delivery's own, with what the edit changed.
 */
export function ReplayPanel({ event, subscription, producer, tries, status }: {
  event: RetainedEvent
  subscription: string
  producer: string
  tries: readonly Delivery[]
  status: GroupStatus
}) {
  const app = useApp()
  const original = JSON.stringify(event.envelope.data ?? null, null, 2)
  const [open, setOpen] = useState(false)
  const [text, setText] = useState(original)
  const [problem, setProblem] = useState<string>()
  const [sending, setSending] = useState(false)
  const [outcome, setOutcome] = useState<Outcome>()
  const replayed = tries.find((t) => t.replay && t.attempt === outcome?.attempt)

  const replay = async () => {
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch (error) {
      setProblem(`The payload is not JSON: ${(error as Error).message}`)
      return
    }
    setProblem(undefined)
    const edited = JSON.stringify(data) !== JSON.stringify(event.envelope.data ?? null)
    const attempt = tries.reduce((n, t) => Math.max(n, t.attempt), 0) + 1
    setSending(true)
    app.events.expectReplay(event.envelope.id, subscription, attempt)
    try {
      const result = await app.command(producer, 'replay', { event: event.envelope, subscription, attempt, ...(edited && { data: { value: data } }) })
      setOutcome({ before: status.label, attempt, delivered: result.delivered, ...(result.error && { error: result.error }), changes: edited ? payloadDiff(event.envelope.data, data) : [] })
    } catch (error) {
      setProblem(`Replay failed: ${(error as Error).message}`)
    } finally {
      setSending(false)
    }
  }

  if (!open) return <button onClick={() => setOpen(true)} title="Send this event again to this subscription only, optionally edited">Replay…</button>
  return (
    <div class="replay" role="group" aria-label={`Replay into ${subscription}`}>
      <label>
        Payload sent to {subscription} on {app.producerName(producer)} <small class="muted">(edit it to replay a changed event; Ctrl+Enter replays)</small>
        <textarea
          rows={Math.min(12, original.split('\n').length + 1)}
          value={text}
          spellcheck={false}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && void replay()}
        />
      </label>
      <div class="replay-actions">
        <button class="primary" disabled={sending} onClick={() => void replay()}>Replay into {subscription}</button>
        <button onClick={() => setOpen(false)}>Close</button>
      </div>
      {problem && <p class="result bad">{problem}</p>}
      {outcome && (
        <div class="replay-outcome" aria-live="polite">
          <div class="replay-compare">
            <span><span class="muted">before:</span> {outcome.before}</span>
            <span>
              <span class="muted">replay (attempt {outcome.attempt}):</span>{' '}
              <span class={outcome.delivered ? 'ok' : 'bad'}>{outcome.delivered ? 'delivered' : 'failed'}</span>
              {replayed && ` in ${formatDuration(replayed.durationMs)}`}
              {outcome.error && ` — ${outcome.error.name}: ${outcome.error.message}`}
            </span>
          </div>
          {outcome.changes.length > 0 && (
            <ul class="payload-diff" aria-label="What the edit changed">
              {outcome.changes.map((c) => (
                <li key={c.path}>
                  <code>{c.path}</code>{' '}
                  {c.kind !== 'added' && <del>{JSON.stringify(c.before)}</del>}{c.kind === 'changed' && ' → '}
                  {c.kind !== 'removed' && <ins>{JSON.stringify(c.after)}</ins>}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  )
}
