import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const repo = fileURLToPath(new URL('../..', import.meta.url))

const bundle = async (entry: string) => {
  const out = await build({
    entryPoints: [fileURLToPath(new URL(`../${entry}`, import.meta.url))],
    bundle: true, format: 'esm', target: 'es2022', write: false, logLevel: 'error', absWorkingDir: repo, tsconfig: `${repo}/tsconfig.json`,
  })
  return out.outputFiles[0]!.text
}

/**
 * Serves the bridges test page (/), its script (/app.js) and the worker (/worker.js), plus
 * whatever `extra` answers (an SSE endpoint), on 127.0.0.1.
 */
export async function serveBridgesPage(extra?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<{ url: string; server: Server }> {
  const [app, worker] = await Promise.all([bundle('bridges.page.ts'), bundle('bridges.worker.ts')])
  const server = createServer((req, res) => {
    if (extra?.(req, res)) return
    if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(app)
    else if (req.url === '/worker.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(worker)
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/app.js"></script>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server }
}
