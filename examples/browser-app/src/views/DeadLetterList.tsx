import type { Orders } from '../orders'

// On NATS the node service charges the orders: its failed payments wait in its own queue.
const EMPTY = {
  local: 'Payments that fail twice wait here for a retry.',
  nats: 'The node service charges the orders: payments it gives up on wait in its dead-letter queue (retry them from the devtools page).',
}

export function DeadLetterList({ orders, onNats }: { orders: Orders; onNats: boolean }) {
  const entries = orders.deadLetters
  return (
    <section class="dead-letters" aria-labelledby="dlq-title">
      <h2 id="dlq-title">Dead letters <span class="count">{entries.length}</span></h2>
      {entries.length === 0 ? <p class="empty">{EMPTY[onNats ? 'nats' : 'local']}</p> : (
        <ul>
          {entries.map((entry) => (
            <li key={entry.id}>
              <div>
                <span class="mono">{entry.envelope.correlationid ?? entry.envelope.id}</span>
                <span class="muted"> · {entry.subscription} · {entry.attempts} tries</span>
              </div>
              <div class="error">{entry.error.message}</div>
              <div class="actions">
                <button onClick={() => void orders.retry(entry)} aria-label={`Retry ${entry.envelope.correlationid ?? entry.id}`}>Retry</button>
                <button class="link" onClick={() => void orders.discard(entry)}>Discard</button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
