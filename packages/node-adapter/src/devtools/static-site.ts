import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, join } from 'node:path'
import sirv from 'sirv'
import { PLACEHOLDER_PAGE } from './placeholder-page'

export type PageHandler = (req: IncomingMessage, res: ServerResponse) => void

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

/** Serves the page's files, or the placeholder page until the real one is built. */
export const pageHandler = (dir: string | undefined): PageHandler => {
  if (dir !== undefined) {
    const serve = sirv(dir, { single: true, etag: true, onNoMatch: notFound })
    return (req, res) => serve(req, res)
  }
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://hub').pathname
    if (path !== '/' && path !== '/index.html') return notFound(req, res)
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PLACEHOLDER_PAGE)
  }
}
