import type { Outcome } from '../state/retained-event'

const LABELS: Record<Outcome, string> = {
  none: '—', delivered: 'delivered', retried: 'retried', failing: 'failing', 'dead-lettered': 'dead-lettered',
}

export const outcomeLabel = (outcome: Outcome): string => (outcome === 'none' ? 'no handler yet' : LABELS[outcome])

export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return <span class={`badge outcome-${outcome}`} title={outcomeLabel(outcome)}>{LABELS[outcome]}</span>
}
