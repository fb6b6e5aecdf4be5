import { devtoolsState } from '../devtools'

const TEXT = { off: 'devtools off (open with ?devtools=<hub URL>)', connecting: 'devtools connecting…', connected: 'devtools connected' }

export function DevtoolsBadge() {
  const state = devtoolsState.value
  return <span class={`badge ${state}`} role="status">{TEXT[state]}</span>
}
