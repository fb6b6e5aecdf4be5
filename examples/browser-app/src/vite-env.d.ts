/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The devtools hub URL `tidings devtools` printed; a `?devtools=` query parameter overrides it. */
  readonly VITE_TIDINGS_DEVTOOLS?: string
  /** A nats-server's WebSocket URL, to share orders with the node service; a `?nats=` query parameter overrides it. */
  readonly VITE_TIDINGS_NATS?: string
  /** The node service's event stream (`http://127.0.0.1:3000/events`); a `?push=` query parameter overrides it. */
  readonly VITE_TIDINGS_PUSH?: string
}
