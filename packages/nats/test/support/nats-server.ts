import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A nats-server of our own: JetStream on, loopback only, a temporary store, a WebSocket listener. */
export interface NatsServer {
  /** For the Node client (TCP). */
  readonly url: string
  /** For `wsconnect`. */
  readonly wsUrl: string
  /** Stops the server (SIGTERM) and waits for it to exit; the store stays. */
  stop(): Promise<void>
  /** Starts it again on the same ports and store. */
  start(): Promise<void>
  /** Stops it and deletes its store. */
  dispose(): Promise<void>
}

// Debian installs it in /usr/sbin, which a non-root PATH may lack.
const BINARY = process.env.NATS_SERVER ?? (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server')
const READY_TIMEOUT_MS = 10_000

const config = (dir: string, port: number, wsPort: number) => `
listen: "127.0.0.1:${port}"
jetstream { store_dir: "${join(dir, 'store')}" }
websocket { host: "127.0.0.1", port: ${wsPort}, no_tls: true }
`

/** Runs nats-server until it logs that it is ready; ports -1 let it pick free ones, which it logs. */
const launch = (conf: string) => new Promise<{ child: ChildProcess; port: number; wsPort: number }>((resolve, reject) => {
  const child = spawn(BINARY, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  const timer = setTimeout(() => {
    child.kill('SIGKILL')
    reject(new Error(`nats-server was not ready within ${READY_TIMEOUT_MS} ms:\n${log}`))
  }, READY_TIMEOUT_MS)
  child.on('error', (error) => {
    clearTimeout(timer)
    reject(new Error(`Cannot run ${BINARY} (apt-get install nats-server, or set NATS_SERVER): ${error.message}`))
  })
  child.on('exit', (code) => {
    clearTimeout(timer)
    reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`))
  })
  child.stderr!.on('data', (chunk: Buffer) => {
    log += chunk.toString()
    if (!log.includes('Server is ready')) return
    const port = /Listening for client connections on [\d.]+:(\d+)/.exec(log)?.[1]
    const wsPort = /Listening for websocket clients on ws:\/\/[\d.]+:(\d+)/.exec(log)?.[1]
    clearTimeout(timer)
    child.stderr!.removeAllListeners('data')
    child.stderr!.resume()
    if (port === undefined || wsPort === undefined) reject(new Error(`nats-server did not log its ports:\n${log}`))
    else resolve({ child, port: Number(port), wsPort: Number(wsPort) })
  })
})

export const startNatsServer = async (): Promise<NatsServer> => {
  const dir = await mkdtemp(join(tmpdir(), 'tidings-nats-'))
  const conf = join(dir, 'nats.conf')
  await writeFile(conf, config(dir, -1, -1))
  let { child, port, wsPort } = await launch(conf)
  // Restarts keep the ports the clients reconnect to.
  await writeFile(conf, config(dir, port, wsPort))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    stop,
    async start() {
      child = (await launch(conf)).child
    },
    async dispose() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
