import { createRequire } from 'node:module'

/** This package's version, for the hub's welcome and `tidings --version`. */
export const packageVersion = (): string => {
  try {
    return (createRequire(import.meta.url)('@tidings/node/package.json') as { version: string }).version
  } catch {
    return 'unknown'
  }
}
