import { useEffect } from 'preact/hooks'
import { useApp } from './context'
import { CatalogView } from './CatalogView'
import { ChartsView } from './ChartsView'
import { Detail } from './Detail'
import { DispatchView } from './DispatchView'
import { DlqView } from './DlqView'
import { ErrorsView } from './ErrorsView'
import { FilterBar } from './FilterBar'
import { Header } from './Header'
import { Notices } from './Notices'
import { OperationsView } from './OperationsView'
import { SequenceView } from './SequenceView'
import { StreamList } from './StreamList'
import { SubscribersView } from './SubscribersView'

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))

export function App() {
  const app = useApp()
  const tab = app.tab.value

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target) || e.altKey || e.ctrlKey || e.metaKey) return
      if (e.key === '/') {
        e.preventDefault()
        app.tab.value = 'stream'
        requestAnimationFrame(() => document.getElementById('filter-search')?.focus())
      } else if (e.key === 'Escape') {
        app.selected.value = undefined
      } else if (e.key === 'p' && app.tab.value === 'stream') {
        if (app.paused.value) app.resume()
        else app.pause()
      }
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [])

  return (
    <>
      <Header />
      <main class={`view-${tab}`}>
        {tab === 'stream' && (
          <div class="stream-view">
            <FilterBar />
            <div class="split">
              <StreamList />
              <Detail />
            </div>
          </div>
        )}
        {tab === 'operations' && <OperationsView />}
        {tab === 'sequence' && <SequenceView />}
        {tab === 'subscribers' && <SubscribersView />}
        {tab === 'charts' && <ChartsView />}
        {tab === 'dlq' && <DlqView />}
        {tab === 'errors' && <ErrorsView />}
        {tab === 'catalog' && <CatalogView />}
        {tab === 'dispatch' && <DispatchView />}
      </main>
      <Notices />
    </>
  )
}
