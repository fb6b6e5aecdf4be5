/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The devtools hub URL `tidings devtools` printed; a `?devtools=` query parameter overrides it. */
  readonly VITE_TIDINGS_DEVTOOLS?: string
}
