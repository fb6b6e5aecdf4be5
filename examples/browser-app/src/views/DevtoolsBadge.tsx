import { useEffect, useState } from 'preact/hooks'
import type { DevtoolsState } from '../devtools'

const TEXT = { off: 'devtools off (open with ?devtools=<hub URL>)', connecting: 'devtools connecting…', connected: 'devtools connected' }

export function DevtoolsBadge({ devtools }: { devtools: () => DevtoolsState }) {
  const [state, setState] = useState(devtools)
  useEffect(() => {
    const timer = setInterval(() => setState(devtools()), 500)
    return () => clearInterval(timer)
  }, [devtools])
  return <span class={`badge ${state}`} role="status">{TEXT[state]}</span>
}
