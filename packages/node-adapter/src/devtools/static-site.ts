import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, join } from 'node:path'
import sirv from 'sirv'
import { PLACEHOLDER_PAGE } from './placeholder-page'
import { contentSecurityPolicy, inlineHashes } from './security-headers'

export interface PageHandler {
  (req: IncomingMessage, res: ServerResponse): void
  /** The Content-Security-Policy the page works under. */
  readonly csp: string
}

/** The built devtools page: `staticDir`, else `@tidings/devtools`'s `dist` when that package is installed and built. */
export const findPageDir = (staticDir: string | undefined): string | undefined => {
  if (staticDir !== undefined) return staticDir
  try {
    const require = createRequire(import.meta.url)
    const dist = join(dirname(require.resolve('@tidings/devtools/package.json')), 'dist')
    return existsSync(join(dist, 'index.html')) ? dist : undefined
  } catch {
    return undefined
  }
}

const notFound = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n')
}

/** Serves the page's files, or the placeholder page (its inline script and style allowed by hash) until the real one is built. */
export const pageHandler = (dir: string | undefined): PageHandler => {
  if (dir !== undefined) {
    const serve = sirv(dir, { single: true, etag: true, onNoMatch: notFound })
    return Object.assign((req: IncomingMessage, res: ServerResponse) => serve(req, res), { csp: contentSecurityPolicy() })
  }
  const placeholder = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://hub').pathname
    if (path !== '/' && path !== '/index.html') return notFound(req, res)
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PLACEHOLDER_PAGE)
  }
  return Object.assign(placeholder, { csp: contentSecurityPolicy(inlineHashes(PLACEHOLDER_PAGE)) })
}
