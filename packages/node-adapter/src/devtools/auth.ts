import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { TidingsError } from '@tidings/core'

/** 32 random bytes, URL-safe: what the printed URL carries. */
export const createToken = (): string => randomBytes(32).toString('base64url')

/** Shorter tokens can be guessed, and an empty one is usually an unset variable. */
export const MIN_TOKEN_LENGTH = 16

/** Throws E_INVALID_ARGUMENT for a token that is empty or too short to keep the hub private. */
export const checkToken = (token: string): void => {
  if (token.length >= MIN_TOKEN_LENGTH) return
  const got = token.length === 0 ? 'an empty token (an unset variable?)' : `a ${token.length}-character token`
  throw new TidingsError('E_INVALID_ARGUMENT', `The devtools hub needs a token of at least ${MIN_TOKEN_LENGTH} characters, got ${got}: omit it (--token, TIDINGS_DEVTOOLS_TOKEN, the token option) and the hub generates a random one`)
}

/**
 * Equality in time independent of where the strings differ and of their lengths: both are
 * hashed to 32 bytes first.
 */
export const safeEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())

/** Browsers share cookies across ports, so each hub's cookie carries its port. */
export const cookieName = (port: number): string => `tidings_devtools_${port}`

const cookieValue = (header: string | undefined, name: string): string | undefined => {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** How a request proved it knows the token: by the `token` query parameter, the session cookie, or not at all. */
export type Credential = 'query' | 'cookie' | undefined

/**
 * The hub's credentials: the token (printed, given to producers) and the session value its
 * cookie carries. The session value is HMAC-SHA256(token, a random salt drawn when the hub
 * starts): browsers send 127.0.0.1 cookies to every local port, so any other local server the
 * browser visits sees the cookie, and it must not learn the token from it. Derived rather than
 * stored, the hub keeps no session table to bound; a new salt at each start ends old sessions.
 */
export class HubCredentials {
  readonly session: string

  constructor(readonly token: string) {
    this.session = createHmac('sha256', token).update(randomBytes(32)).digest('base64url')
  }

  sessionCookie(port: number): string {
    return `${cookieName(port)}=${this.session}; HttpOnly; SameSite=Strict; Path=/`
  }

  credentialOf(req: IncomingMessage, port: number): Credential {
    const query = new URL(req.url ?? '/', 'http://hub').searchParams.get('token')
    if (query !== null && safeEqual(query, this.token)) return 'query'
    const cookie = cookieValue(req.headers.cookie, cookieName(port))
    if (cookie !== undefined && safeEqual(cookie, this.session)) return 'cookie'
    return undefined
  }
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
