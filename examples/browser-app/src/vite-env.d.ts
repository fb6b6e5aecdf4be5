/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The devtools hub URL `tidings devtools` printed; a `?devtools=` query parameter overrides it. */
  readonly VITE_TIDINGS_DEVTOOLS?: string
  /** A nats-server's WebSocket URL, to share orders with the node service; a `?nats=` query parameter overrides it. */
  readonly VITE_TIDINGS_NATS?: string
}
