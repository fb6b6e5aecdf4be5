import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startDevtoolsHub } from '../devtools'
import type { DevtoolsHub } from '../devtools'
import { checkToken } from '../devtools/auth'
import { isLoopback } from '../devtools/bind-address'
import { integer, parse } from './args'
import { ExitCode, usageError } from './exit-codes'
import { interrupted } from './interrupted'
import type { Io } from './output'
import { tokenFromFile } from './token-file'

export const DEVTOOLS_HELP = `Usage: tidings devtools [options]

Starts the devtools hub: the live traffic page and the WebSocket endpoint buses connect to.
Prints the page URL with its access token; every request needs that token.

Options:
  --port <n>         port to listen on (default 7420; 0 = any free port)
  --host <addr>      interface to bind (default 127.0.0.1)
  --allow-remote     required to bind anything but loopback (prints a warning)
  --origin <origin>  also accept WebSocket connections from this browser origin (repeatable)
  --token <token>    use this token (16+ characters) instead of a random one (env TIDINGS_DEVTOOLS_TOKEN)
  --token-file <f>   keep the token in this file across restarts, so connected services reconnect:
                     read it if the file exists, else draw one and write it (mode 0600)
  --max-connections <n>  open WebSocket connections at most (default 64)
  --static-dir <d>   serve the page from this directory
  --open             open the page in the default browser
  -h, --help         show this help

In your app (the bus needs observe(); standard() has it, with metrics and dead letters for the page):
  import { connectDevtools, createBus, standard } from '@tidings/core'
  const bus = createBus({ source: '/my-service' }, standard())
  connectDevtools(bus, { url: '<the printed URL>', name: 'my-service' })

Stop with Ctrl+C. Exit codes: 0 stopped, 2 bad options, 3 cannot listen (the port is taken).`

/** An --origin as browsers send it (scheme, host, port; no path), since the hub compares it exactly. */
const browserOrigin = (value: string): string => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw usageError(`--origin takes a browser origin such as https://app.test:5173, got "${value}"`)
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.href !== `${url.origin}/`) {
    throw usageError(`--origin takes a browser origin (http(s)://host[:port], nothing after it), got "${value}"${url.origin !== 'null' ? `: did you mean ${url.origin}?` : ''}`)
  }
  return url.origin
}

const opener = (): [string, string[]] =>
  process.platform === 'darwin' ? ['open', []] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""']] : ['xdg-open', []]

const openBrowser = (url: string, io: Io) => {
  const [cmd, args] = opener()
  const child = spawn(cmd, [...args, url], { detached: true, stdio: 'ignore' })
  child.on('error', () => io.err(`Could not open a browser (${cmd}): open the URL yourself.`))
  child.unref()
}

export async function devtoolsCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'allow-remote': { type: 'boolean' },
    origin: { type: 'string', multiple: true },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    'max-connections': { type: 'string' },
    'static-dir': { type: 'string' },
    open: { type: 'boolean' },
  }, 'devtools')
  if (values.help) {
    io.out(DEVTOOLS_HELP)
    return ExitCode.OK
  }
  if (positionals.length) throw usageError(`tidings devtools takes no arguments, got "${positionals[0]}" (see tidings devtools --help)`)
  const host = values.host ?? '127.0.0.1'
  if (!isLoopback(host) && !values['allow-remote']) {
    throw usageError(`Binding ${host} exposes your events beyond this machine: add --allow-remote if you mean it`)
  }
  if (values.token !== undefined && values['token-file'] !== undefined) throw usageError('Give --token or --token-file, not both')
  const file = values['token-file'] === undefined ? undefined : tokenFromFile(values['token-file'])
  if (file?.warning) io.err(io.errColor.yellow(file.warning))
  // An empty variable means unset; anything else given must be a usable token.
  const token = file?.token ?? values.token ?? (process.env.TIDINGS_DEVTOOLS_TOKEN || undefined)
  if (token !== undefined) {
    try {
      checkToken(token)
    } catch (error) {
      throw usageError((error as Error).message)
    }
  }
  const port = integer(values.port, 'port', 7420)
  if (port > 65535) throw usageError(`--port takes a port number up to 65535, got ${port}`)
  const maxConnections = integer(values['max-connections'], 'max-connections', 64)
  if (maxConnections < 1) throw usageError('--max-connections must be at least 1: the page itself needs a connection')
  const origins = values.origin?.map(browserOrigin)
  const staticDir = values['static-dir']
  if (staticDir !== undefined && !existsSync(join(staticDir, 'index.html'))) {
    throw usageError(`--static-dir ${staticDir} holds no index.html: give the built page's directory (packages/devtools/dist after npm run build)`)
  }
  let hub: DevtoolsHub
  try {
    hub = await startDevtoolsHub({
      port,
      host,
      allowRemote: values['allow-remote'],
      origins,
      token,
      maxConnections,
      staticDir,
      warn: (message) => io.err(io.errColor.yellow(message)),
    })
  } catch (error) {
    io.err(io.errColor.red((error as Error).message))
    return ExitCode.UNAVAILABLE
  }
  const interrupt = interrupted()
  const c = io.color
  io.out(`${c.bold('Tidings devtools')} listening on ${hub.host}:${hub.port}`)
  io.out(`  page: ${c.cyan(hub.url)}`)
  if (file) io.out(c.dim(`  token ${file.created ? 'written to' : 'read from'} ${values['token-file']}: it stays the same when the hub restarts`))
  io.out(`  bus:  connectDevtools(bus, { url: '${hub.url}' })`)
  io.out(c.dim('Press Ctrl+C to stop.'))
  if (values.open) openBrowser(hub.url, io)

  await interrupt.signal
  interrupt.dispose()
  await hub.close()
  return ExitCode.OK
}
