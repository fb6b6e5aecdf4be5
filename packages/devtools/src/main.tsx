import { render } from 'preact'
import { createAppState } from './app-state'
import { applyTheme } from './theme'
import { App } from './views/App'
import { AppContext } from './views/context'
import './styles.css'
import './trace-views.css'

const app = createAppState()
applyTheme()
render(<AppContext.Provider value={app}><App /></AppContext.Provider>, document.getElementById('app')!)
app.start()
// A read-only handle for scripts that drive the page (the benchmark reads how far behind it is).
Object.defineProperty(window, 'tidingsDevtools', { value: Object.freeze({ stats: app.stats }) })
