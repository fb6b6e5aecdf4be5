import { isIP } from 'node:net'

/** Loopback names and addresses: only this machine can reach them. */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'))

/** The host to print in URLs: a wildcard bind is reached locally through 127.0.0.1. */
export const urlHost = (host: string): string => {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return isIP(host) === 6 ? `[${host}]` : host
}
