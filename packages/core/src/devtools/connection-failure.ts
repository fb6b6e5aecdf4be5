import { TidingsError } from '../errors'

/** The HTTP statuses the hub refuses an upgrade with (docs/devtools-protocol.md §1), and what to do about each. */
const REFUSALS: Record<string, string> = {
  401: 'refused the token (401): use the URL `tidings devtools` printed this time; a hub started without --token-file draws a new token each time it starts',
  403: 'refused this origin (403): start the hub with --origin <this page\'s origin>',
  404: 'has no devtools endpoint there (404): use the URL `tidings devtools` printed',
  503: 'has all its connections in use (503): close pages or producers you no longer use, or raise --max-connections',
}

/**
 * Why a WebSocket to the hub failed, in words a user can act on. The `ws` package names the HTTP
 * status of a refused upgrade and the network error; browsers say nothing (their message stays generic).
 */
export function connectionFailure(url: string, detail: string | undefined): TidingsError {
  const where = url.replace(/token=[^&]*/, 'token=…')
  const status = /\b(401|403|404|503)\b/.exec(detail ?? '')?.[1]
  if (status !== undefined) {
    return new TidingsError('E_DEVTOOLS_CONNECTION', `The devtools hub at ${where} ${REFUSALS[status]}`, { details: { status: Number(status) } })
  }
  if (detail !== undefined && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/.test(detail)) {
    return new TidingsError('E_DEVTOOLS_CONNECTION', `Nothing answers at ${where} (${detail}): start \`tidings devtools\`; this bus keeps trying to reconnect`, { details: { unreachable: true } })
  }
  return new TidingsError('E_DEVTOOLS_CONNECTION', `Cannot reach the devtools hub at ${where}${detail ? `: ${detail}` : ''}; check that \`tidings devtools\` runs and that the token is the one it printed`)
}
