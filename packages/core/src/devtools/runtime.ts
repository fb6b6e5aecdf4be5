/** The globals that tell which runtime a producer runs in. */
export interface Host {
  process?: { pid?: number; versions?: { node?: string } }
  Deno?: unknown
  Bun?: unknown
  document?: unknown
}

/** Read when a connection starts, not at import: a module does no work until it is used. */
export const runtimeOf = (host: Host): string =>
  host.Deno ? 'deno' : host.Bun ? 'bun' : host.process?.versions?.node ? 'node' : host.document ? 'browser' : 'unknown'
