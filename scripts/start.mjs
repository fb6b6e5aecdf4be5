// `npm start`: the whole product at work on this machine. Starts the devtools hub, the node
// service and the browser app (both connected to the hub), the Vue app and a traffic generator, prints the
// URLs, and on Ctrl-C stops them in order. scripts/setup.mjs has installed and built everything.
//
// `npm start -- --nats`: the same on a nats-server of its own (temporary store), with two
// instances of the node service sharing the orders, and the browser app sending its orders to
// them. Either instance may be killed: the other finishes its work.
//
// Environment: TIDINGS_DATA_DIR (the node service's file store, default examples/node-service/data;
// with --nats the instances use <it>-a and <it>-b), CHROMIUM_PATH (the traffic generator's
// browser, default /usr/bin/chromium), NATS_SERVER (the nats-server binary).
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startNatsServer } from './start/nats-server.mjs'
import { killAll, launch, stopProcess } from './start/processes.mjs'

let onNats
try {
  onNats = parseArgs({ options: { nats: { type: 'boolean', default: false } } }).values.nats
} catch (error) {
  console.error(`[start] ${error.message.split('\n')[0]}; usage: npm start [-- --nats]`)
  process.exit(2)
}

const root = fileURLToPath(new URL('..', import.meta.url))
const node = process.execPath
const dataDir = process.env.TIDINGS_DATA_DIR || join(root, 'examples/node-service/data')
const browserApp = join(root, 'examples/browser-app')
const vueApp = join(root, 'examples/vue-app')
// The vite the browser app itself depends on, wherever npm placed it.
const vite = join(dirname(createRequire(join(browserApp, 'package.json')).resolve('vite/package.json')), 'bin/vite.js')
/** With --nats: how soon the orders a killed instance was working on go to the other one. */
const ACK_WAIT_MS = 3000

/**
 * In start order; stopped in reverse, so traffic stops first and the hub, which sees the others'
 * last events, after them; with --nats the nats-server, which the services flush to, is first in
 * and last out.
 */
const running = []
/** With --nats, the node service instances: one of them may go while another carries on. */
const instances = []
/** With --nats, the nats-server; its temporary store is deleted once everything has stopped. */
let nats
let stopped

const stopAll = (code) => {
  stopped ??= (async () => {
    for (const managed of [...running].reverse()) await stopProcess(managed)
    await nats?.dispose()
    if (code === 0) console.log('[start] stopped')
    process.exit(code)
  })()
  return stopped
}

const alive = ({ child }) => child.exitCode === null && child.signalCode === null

/**
 * A child that exits on its own takes the demo down with it: half a demo would mislead. Except a
 * node service instance on NATS while another one runs: surviving that is what the mode shows.
 */
const onExit = (managed, code, signal) => {
  if (stopped) return
  const others = instances.filter((instance) => instance !== managed && alive(instance))
  if (instances.includes(managed) && others.length) {
    console.log(`[start] ${managed.name} exited (${signal ?? `code ${code}`}); ${others.map(({ name }) => name).join(', ')} carries on, `
      + `and takes over the orders it had not finished within ${ACK_WAIT_MS / 1000} s`)
    return
  }
  console.error(`[start] ${managed.name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the others`)
  void stopAll(1)
}

const start = (name, command, options) => {
  const { managed, ready } = launch(name, command, { ...options, onExit })
  running.push(managed)
  return { managed, ready }
}

/** Starts a nats-server in a process group of its own, as launch() does, so that Ctrl-C reaches only this script. */
const startNats = async () => {
  nats = await startNatsServer({ detached: true })
  const { child } = nats
  const managed = { name: 'nats-server', child, exited: new Promise((resolve) => child.once('exit', () => resolve())) }
  running.push(managed)
  child.once('exit', (code, signal) => onExit(managed, code, signal))
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
// Should this script die some other way, its children must not outlive it, nor the nats-server's store.
process.on('exit', () => {
  killAll(running.filter(alive))
  if (nats) rmSync(nats.dir, { recursive: true, force: true })
})

const startHub = async () => {
  const [, hubUrl] = await start('hub', [node, join(root, 'packages/node-adapter/bin/tidings.js'), 'devtools', '--port', '0'], {
    ready: /page:\s+(http:\/\/\S+)/,
  }).ready
  return hubUrl
}

const startService = (name, env) => start(name, [node, join(root, 'examples/node-service/dist/main.js')], {
  env: { PORT: '0', ...env },
  ready: /listening on (http:\/\/\S+)/,
})

/** Serves a built example app with `vite preview`; resolves to its URL. */
const startPreview = async (name, cwd) => {
  const [, url] = await start(name, [node, vite, 'preview', '--port', '0'], { cwd, ready: /Local:\s+(http:\/\/\S+)/ }).ready
  return url
}

const startApp = () => startPreview('browser-app', browserApp)

/** The Vue example: its bus lives in its page, so it needs nothing else running. */
const startVueApp = () => startPreview('vue-app', vueApp)

const startTraffic = async (env) => {
  const [traffic] = await start('traffic', [node, join(root, 'scripts/start/traffic.mjs')], {
    env,
    ready: /^\[traffic\] sending .*/,
  }).ready
  return traffic
}

/** The demo as it always was: one instance of the node service, and the browser app charging its own orders. */
async function startDemo() {
  const hubUrl = await startHub()
  const [, serviceUrl] = await startService('node-service', { DATA_DIR: dataDir, TIDINGS_DEVTOOLS: hubUrl }).ready
  const appBase = await startApp()
  // The app connects to the hub given in its URL (and then drops it from the address bar), and to
  // the service's event stream, which ships the orders the page charges and pushes their status.
  const appUrl = `${appBase}?devtools=${encodeURIComponent(hubUrl)}&push=${encodeURIComponent(`${serviceUrl}/events`)}`
  const vueUrl = await startVueApp()
  const traffic = await startTraffic({ SERVICE_URL: serviceUrl, APP_URL: appUrl })

  console.log(`
Tidings is running.

  devtools      ${hubUrl}
  browser app   ${appUrl}
                open it in two tabs: the cart and the orders stay in sync, one tab charges the
                payments, a worker prices the cart, the node service pushes "shipped" over SSE
  vue app       ${vueUrl}   (the @tidings/vue composables)
  node service  ${serviceUrl}   (POST /orders, GET /orders/:id, GET /dead-letters, GET /events: SSE)
  file store    ${dataDir}

${traffic}
A command-line import, live in the devtools page too:
  TIDINGS_DEVTOOLS='${hubUrl}' node examples/cli-progress/dist/main.js

Press Ctrl-C to stop.
`)
}

/** Two instances of the node service sharing a nats-server, and the browser app sending its orders to them. */
async function startNatsDemo() {
  await startNats()
  const hubUrl = await startHub()
  const services = []
  // One after the other: the first creates the stream and the shared consumers, the second joins them.
  for (const suffix of ['a', 'b']) {
    const name = `node-service-${suffix}`
    const store = `${dataDir}-${suffix}`
    const { managed, ready } = startService(name, {
      DATA_DIR: store, TIDINGS_DEVTOOLS: hubUrl, TIDINGS_NATS: nats.url, INSTANCE_NAME: name, NATS_ACK_WAIT_MS: String(ACK_WAIT_MS),
    })
    instances.push(managed)
    const [, url] = await ready
    services.push({ name, url, store, pid: managed.child.pid })
  }
  const appBase = await startApp()
  // The app's orders and payments travel through the nats-server's WebSocket listener; shipments
  // come back over one instance's event stream (the instances share their events).
  const appUrl = `${appBase}?devtools=${encodeURIComponent(hubUrl)}&nats=${encodeURIComponent(nats.wsUrl)}&push=${encodeURIComponent(`${services[0].url}/events`)}`
  const vueUrl = await startVueApp()
  const traffic = await startTraffic({ SERVICE_URLS: services.map(({ url }) => url).join(','), APP_URL: appUrl })
  const [a, b] = services

  console.log(`
Tidings is running on NATS: two node service instances share the orders.

  devtools        ${hubUrl}
  browser app     ${appUrl}
  vue app         ${vueUrl}   (the @tidings/vue composables)
${services.map(({ name, url, pid, store }) => `  ${name}  ${url}   (pid ${pid}, file store ${store})`).join('\n')}
  nats-server     ${nats.url}   (WebSocket ${nats.wsUrl}, store ${nats.dir}, deleted on stop)

${traffic}
Each order is handled once, by one instance (the reserve-stock and charge-payment subscriptions are
shared); each instance keeps its own stock and its own dead letters (GET /dead-letters on each).

Nothing is lost when an instance dies. Kill one in the middle of its work:
  kill -9 ${a.pid}          # ${a.name}
Within ${ACK_WAIT_MS / 1000} s ${b.name} takes over the charges ${a.name} was working on (the devtools
page shows their payment.captured coming from ${b.name}), and it knows every order ${a.name} accepted:
  curl -s ${b.url}/orders/<orderId>      # paid, or dead-lettered when the flaky gateway fails twice

Press Ctrl-C to stop.
`)
}

try {
  await (onNats ? startNatsDemo() : startDemo())
} catch (error) {
  console.error(`[start] ${error.message}`)
  await stopAll(1)
}
