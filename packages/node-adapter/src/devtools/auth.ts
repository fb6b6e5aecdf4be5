import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** 32 random bytes, URL-safe: what the printed URL carries. */
export const createToken = (): string => randomBytes(32).toString('base64url')

/** Browsers share cookies across ports, so each hub's cookie carries its port. */
export const cookieName = (port: number): string => `tidings_devtools_${port}`

export const sessionCookie = (token: string, port: number): string =>
  `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`

const equal = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const cookieValue = (header: string | undefined, name: string): string | undefined => {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** How a request proved it knows the token: by the `token` query parameter, the cookie, or not at all. */
export type Credential = 'query' | 'cookie' | undefined

export const credentialOf = (req: IncomingMessage, token: string, port: number): Credential => {
  const query = new URL(req.url ?? '/', 'http://hub').searchParams.get('token')
  if (query !== null && equal(query, token)) return 'query'
  const cookie = cookieValue(req.headers.cookie, cookieName(port))
  if (cookie !== undefined && equal(cookie, token)) return 'cookie'
  return undefined
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Which browser origins may open a WebSocket. Requests without an Origin are not from a browser
 * page and pass (they still need the token). A cookie alone proves nothing about the page that
 * sent it, so a cookie-authenticated socket must come from the hub's own origin; a socket with
 * the token may also come from a local dev server or an origin the user allowed.
 */
export const originAllowed = (req: IncomingMessage, credential: Credential, extra: readonly string[]): boolean => {
  const origin = req.headers.origin
  if (origin === undefined) return true
  let parsed: URL
  try {
    parsed = new URL(origin)
  } catch {
    return false
  }
  if (parsed.host === req.headers.host && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) return true
  if (credential !== 'query') return false
  return LOOPBACK_HOSTS.has(parsed.hostname) || extra.includes(parsed.origin)
}
