import { useApp } from './context'

export function Notices() {
  const app = useApp()
  return (
    <div class="notices" role="status" aria-live="polite">
      {app.notices.value.map((n) => <p key={n.id} class={`notice ${n.kind}`}>{n.text}</p>)}
    </div>
  )
}
