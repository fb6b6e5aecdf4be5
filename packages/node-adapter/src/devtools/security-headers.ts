import { createHash } from 'node:crypto'

/** Hash sources for inline `<script>` and `<style>` elements, which a policy without them blocks. */
export interface InlineHashes {
  scripts: readonly string[]
  styles: readonly string[]
}

const hashSource = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/** The hash sources of the inline scripts and styles of an HTML document. */
export const inlineHashes = (html: string): InlineHashes => ({
  scripts: [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].flatMap((m) => (m[1] ? [hashSource(m[1])] : [])),
  styles: [...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/g)].flatMap((m) => (m[1] ? [hashSource(m[1])] : [])),
})

/**
 * The page's own files and its WebSocket to the hub (`'self'` covers ws: on the same host and
 * port), nothing from elsewhere; never framed, so no other site can overlay or click it.
 */
export const contentSecurityPolicy = (inline: InlineHashes = { scripts: [], styles: [] }): string => [
  "default-src 'none'",
  ["script-src 'self'", ...inline.scripts].join(' '),
  ["style-src 'self'", ...inline.styles].join(' '),
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Headers every hub response carries, the 401 and 404 answers included. */
export const securityHeaders = (csp: string): Record<string, string> => ({
  'content-security-policy': csp,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
})
