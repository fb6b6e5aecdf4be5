import type { ChildProcess } from 'node:child_process'

/** A nats-server of our own: JetStream on, loopback only, free ports, a temporary store, a WebSocket listener. */
export interface NatsServer {
  /** For the Node client (TCP): `nats://127.0.0.1:PORT`. */
  readonly url: string
  /** For browsers and `wsconnect`: `ws://127.0.0.1:PORT`. */
  readonly wsUrl: string
  /** The temporary directory holding its config and its JetStream store. */
  readonly dir: string
  /** The running process (a new one after `start()`). */
  readonly child: ChildProcess
  /** Stops the server (SIGTERM, SIGKILL after 10 s) and waits for it to exit; the store stays. */
  stop(): Promise<void>
  /** Starts it again on the same ports and store. */
  start(): Promise<void>
  /** Stops it and deletes its directory. */
  dispose(): Promise<void>
}

export interface NatsServerOptions {
  /** In a process group of its own, out of reach of the terminal's Ctrl-C (default false). */
  detached?: boolean
}

/** Starts a nats-server and resolves once it is ready; a missing binary rejects naming `apt-get install nats-server` and `NATS_SERVER`. */
export declare function startNatsServer(options?: NatsServerOptions): Promise<NatsServer>
