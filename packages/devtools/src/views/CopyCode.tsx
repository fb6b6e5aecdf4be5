import { useState } from 'preact/hooks'
import { useApp } from './context'

/** A button that writes code to the clipboard and shows it, so it can be read and selected when the clipboard is out of reach. */
export function CopyCode({ label, code }: { label: string; code: () => string }) {
  const app = useApp()
  const [shown, setShown] = useState<string>()
  const copy = async () => {
    const text = code()
    setShown(text)
    try {
      await navigator.clipboard.writeText(text)
      app.notify('success', `Copied ${label}`)
    } catch {
      app.notify('error', `The clipboard is out of reach here: select the ${label} shown and copy it`)
    }
  }
  return (
    <>
      <button onClick={() => void copy()}>Copy {label}</button>
      {shown !== undefined && <pre class="code-snippet" aria-label={label} tabIndex={0}>{shown}</pre>}
    </>
  )
}
