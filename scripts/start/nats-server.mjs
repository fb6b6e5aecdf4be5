// A nats-server of our own, for `npm start -- --nats` and for the tests (packages/nats/test/support
// re-exports it): JetStream on, loopback only, free ports, a temporary store, a WebSocket listener
// for browsers. Node built-ins only.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const READY_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 10_000

/** NATS_SERVER, else Debian's binary (in /usr/sbin, which a non-root PATH may lack), else the PATH's. */
const binary = () => process.env.NATS_SERVER
  || ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find(existsSync)
  || 'nats-server'

const config = (dir, port, wsPort) => `
listen: "127.0.0.1:${port}"
jetstream { store_dir: "${join(dir, 'store')}" }
websocket { host: "127.0.0.1", port: ${wsPort}, no_tls: true }
`

/**
 * Runs nats-server until it logs that it is ready; ports -1 let it pick free ones, which it logs.
 *
 * @param {string} conf the config file
 * @param {boolean} detached
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, port: number, wsPort: number }>}
 */
const launch = (conf, detached) => new Promise((resolve, reject) => {
  const file = binary()
  const child = spawn(file, ['-c', conf], { detached, stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  const timer = setTimeout(() => {
    child.kill('SIGKILL')
    reject(new Error(`nats-server was not ready within ${READY_TIMEOUT_MS} ms:\n${log}`))
  }, READY_TIMEOUT_MS)
  child.on('error', (error) => {
    clearTimeout(timer)
    reject(new Error(`Cannot run ${file}: install it (apt-get install nats-server) or set NATS_SERVER to its path (${error.message})`))
  })
  child.on('exit', (code, signal) => {
    clearTimeout(timer)
    reject(new Error(`nats-server exited (${signal ?? code}) before it was ready:\n${log}`))
  })
  child.stderr.on('data', (chunk) => {
    log += chunk.toString()
    if (!log.includes('Server is ready')) return
    const port = /Listening for client connections on [\d.]+:(\d+)/.exec(log)?.[1]
    const wsPort = /Listening for websocket clients on ws:\/\/[\d.]+:(\d+)/.exec(log)?.[1]
    clearTimeout(timer)
    // From now on its log is read and dropped, so that a full pipe never blocks it.
    child.stderr.removeAllListeners('data')
    child.stderr.resume()
    if (port === undefined || wsPort === undefined) reject(new Error(`nats-server did not log its ports:\n${log}`))
    else resolve({ child, port: Number(port), wsPort: Number(wsPort) })
  })
})

/**
 * @typedef {object} NatsServer
 * @property {string} url for the Node client (TCP): `nats://127.0.0.1:PORT`
 * @property {string} wsUrl for browsers and `wsconnect`: `ws://127.0.0.1:PORT`
 * @property {string} dir the temporary directory holding its config and its JetStream store
 * @property {import('node:child_process').ChildProcess} child the running process (a new one after `start()`)
 * @property {() => Promise<void>} stop stops it (SIGTERM, SIGKILL after 10 s) and waits for it to exit; the store stays
 * @property {() => Promise<void>} start starts it again on the same ports and store
 * @property {() => Promise<void>} dispose stops it and deletes its directory
 */

/**
 * Starts a nats-server on 127.0.0.1 with JetStream and a WebSocket listener, on free ports, with
 * its store in a new temporary directory. Resolves once it is ready. `detached` puts it in a
 * process group of its own, so that a Ctrl-C in the terminal does not reach it (`npm start`
 * stops it itself, after the services that use it).
 *
 * @param {{ detached?: boolean }} [options]
 * @returns {Promise<NatsServer>}
 */
export async function startNatsServer({ detached = false } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'tidings-nats-'))
  const conf = join(dir, 'nats.conf')
  let child
  try {
    await writeFile(conf, config(dir, -1, -1))
    const started = await launch(conf, detached)
    child = started.child
    // Restarts keep the ports the clients reconnect to.
    await writeFile(conf, config(dir, started.port, started.wsPort))
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
    return {
      url: `nats://127.0.0.1:${started.port}`,
      wsUrl: `ws://127.0.0.1:${started.wsPort}`,
      dir,
      get child() {
        return child
      },
      stop,
      async start() {
        child = (await launch(conf, detached)).child
      },
      async dispose() {
        await stop()
        await rm(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    child?.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}
