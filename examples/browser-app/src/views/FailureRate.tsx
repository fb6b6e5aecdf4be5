import { useEffect, useState } from 'preact/hooks'
import { payments } from '../payment'

export function FailureRate() {
  const [percent, setPercent] = useState(Math.round(payments.failureRate * 100))
  // Another tab's slider moved it.
  useEffect(() => {
    const follow = () => setPercent(Math.round(payments.failureRate * 100))
    addEventListener('storage', follow)
    return () => removeEventListener('storage', follow)
  }, [])
  return (
    <label class="failure-rate">
      Payment provider fails <strong>{percent}%</strong> of attempts
      <input
        type="range" min="0" max="100" step="5" value={percent}
        onInput={(e) => {
          const value = Number(e.currentTarget.value)
          payments.failureRate = value / 100
          setPercent(value)
        }}
      />
    </label>
  )
}
