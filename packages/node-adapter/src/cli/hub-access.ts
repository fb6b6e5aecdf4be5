import { devtoolsSocketURL } from '@tidings/core'
import { usageError } from './exit-codes'
import type { Io } from './output'
import { readTokenFile } from './token-file'

/** Where a command reaches the hub: its WebSocket URL with the token, and that URL safe to print. */
export interface HubAccess {
  socketUrl: string
  shown: string
}

/** The options of every command that talks to a hub, for `parse()`. */
export const HUB_OPTIONS = {
  hub: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
} as const

export const HUB_OPTIONS_HELP = `  --hub <url>              the URL \`tidings devtools\` printed (env TIDINGS_DEVTOOLS_URL)
  --token <token>          the hub's token, when the URL has none (env TIDINGS_DEVTOOLS_TOKEN)
  --token-file <f>         read the token from the file \`tidings devtools --token-file\` keeps`

export interface HubValues {
  hub?: string
  token?: string
  'token-file'?: string
}

export const hideToken = (url: string): string => url.replace(/token=[^&]*/, 'token=…')

/**
 * The hub a command talks to, from `--hub` (else TIDINGS_DEVTOOLS_URL) and the token: `--token` or
 * `--token-file` first, then the URL's own, then TIDINGS_DEVTOOLS_TOKEN, as `tidings devtools` takes it.
 * Undefined when no hub is given.
 */
export function hubAccess(values: HubValues, io: Io, env: NodeJS.ProcessEnv = process.env): HubAccess | undefined {
  const url = values.hub ?? (env.TIDINGS_DEVTOOLS_URL || undefined)
  const given = values.token !== undefined ? '--token' : values['token-file'] !== undefined ? '--token-file' : undefined
  if (url === undefined) {
    if (given) throw usageError(`${given} goes with --hub <url>: the hub it is the token of`)
    return undefined
  }
  if (values.token !== undefined && values['token-file'] !== undefined) throw usageError('Give --token or --token-file, not both')
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw usageError(`--hub: "${url}" is not a URL: pass the URL \`tidings devtools\` printed, e.g. http://127.0.0.1:7420/?token=…`)
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw usageError(`--hub: unsupported URL scheme "${parsed.protocol}" in ${url}: pass the URL \`tidings devtools\` printed, e.g. http://127.0.0.1:7420/?token=…`)
  }
  const inUrl = parsed.searchParams.get('token')
  const file = values['token-file'] === undefined ? undefined : readTokenFile(values['token-file'])
  if (file?.warning) io.err(io.errColor.yellow(file.warning))
  const token = file?.token ?? values.token ?? (inUrl ? undefined : env.TIDINGS_DEVTOOLS_TOKEN || undefined)
  if (token === undefined && !inUrl) {
    throw usageError(`--hub ${url} has no token: pass the whole URL \`tidings devtools\` printed (it ends in ?token=…), or --token, --token-file or TIDINGS_DEVTOOLS_TOKEN`)
  }
  try {
    const socketUrl = devtoolsSocketURL(url, token)
    return { socketUrl, shown: hideToken(socketUrl) }
  } catch (error) {
    throw usageError(`--hub: ${(error as Error).message}`)
  }
}
