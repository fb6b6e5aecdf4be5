import { failureRate } from '../payment'

export function FailureRate() {
  const percent = Math.round(failureRate.value * 100)
  return (
    <label class="failure-rate">
      Payment provider fails <strong>{percent}%</strong> of attempts
      <input
        type="range" min="0" max="100" step="5" value={percent}
        onInput={(e) => (failureRate.value = Number(e.currentTarget.value) / 100)}
      />
    </label>
  )
}
