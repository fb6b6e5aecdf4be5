// `npm start`: the whole product at work on this machine. Starts the devtools hub, the node
// service and the browser app (both connected to the hub) and a traffic generator, prints the
// URLs, and on Ctrl-C stops them in order. scripts/setup.mjs has installed and built everything.
//
// Environment: TIDINGS_DATA_DIR (the node service's file store, default examples/node-service/data),
// CHROMIUM_PATH (the traffic generator's browser, default /usr/bin/chromium).
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { killAll, launch, stopProcess } from './start/processes.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const node = process.execPath
const dataDir = process.env.TIDINGS_DATA_DIR || join(root, 'examples/node-service/data')
const browserApp = join(root, 'examples/browser-app')
// The vite the browser app itself depends on, wherever npm placed it.
const vite = join(dirname(createRequire(join(browserApp, 'package.json')).resolve('vite/package.json')), 'bin/vite.js')

/** In start order; stopped in reverse, so traffic stops first and the hub, which sees the others' last events, last. */
const running = []
let stopped

const stopAll = (code) => {
  stopped ??= (async () => {
    for (const managed of [...running].reverse()) await stopProcess(managed)
    if (code === 0) console.log('[start] stopped')
    process.exit(code)
  })()
  return stopped
}

/** A child that exits on its own takes the demo down with it: half a demo would mislead. */
const onExit = (managed, code, signal) => {
  if (stopped) return
  console.error(`[start] ${managed.name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the others`)
  void stopAll(1)
}

const start = (name, command, options) => {
  const { managed, ready } = launch(name, command, { ...options, onExit })
  running.push(managed)
  return ready
}

/** The first Ctrl-C stops everything in order; a second one, for when that hangs, kills at once. */
const onSignal = () => {
  if (!stopped) {
    console.log('\n[start] stopping…')
    void stopAll(0)
    return
  }
  console.error('[start] stopping now')
  killAll(running)
  process.exit(130)
}
for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(name, onSignal)
// Should this script die some other way, its children must not outlive it.
process.on('exit', () => killAll(running.filter(({ child }) => child.exitCode === null && child.signalCode === null)))

try {
  const [, hubUrl] = await start('hub', [node, join(root, 'packages/node-adapter/bin/tidings.js'), 'devtools', '--port', '0'], {
    ready: /page:\s+(http:\/\/\S+)/,
  })
  const [, serviceUrl] = await start('node-service', [node, join(root, 'examples/node-service/dist/main.js')], {
    env: { PORT: '0', DATA_DIR: dataDir, TIDINGS_DEVTOOLS: hubUrl },
    ready: /listening on (http:\/\/\S+)/,
  })
  const [, appBase] = await start('browser-app', [node, vite, 'preview', '--port', '0'], {
    cwd: browserApp,
    ready: /Local:\s+(http:\/\/\S+)/,
  })
  // The app connects to the hub given in its URL (and then drops it from the address bar).
  const appUrl = `${appBase}?devtools=${encodeURIComponent(hubUrl)}`
  const [traffic] = await start('traffic', [node, join(root, 'scripts/start/traffic.mjs')], {
    env: { SERVICE_URL: serviceUrl, APP_URL: appUrl },
    ready: /^\[traffic\] sending .*/,
  })

  console.log(`
Tidings is running.

  devtools      ${hubUrl}
  browser app   ${appUrl}
  node service  ${serviceUrl}   (POST /orders, GET /orders/:id, GET /dead-letters)
  file store    ${dataDir}

${traffic}
A command-line import, live in the devtools page too:
  TIDINGS_DEVTOOLS='${hubUrl}' node examples/cli-progress/dist/main.js

Press Ctrl-C to stop.
`)
} catch (error) {
  console.error(`[start] ${error.message}`)
  await stopAll(1)
}
