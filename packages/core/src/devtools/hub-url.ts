import { TidingsError } from '../errors'

/**
 * The hub's WebSocket URL from what the user has: the page URL the CLI printed
 * (`http://127.0.0.1:PORT/?token=…`) or the ws URL itself. An explicit token wins over the URL's.
 */
export const devtoolsSocketURL = (url: string, token?: string): string => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new TidingsError('E_INVALID_ARGUMENT', `"${url}" is not a URL: pass the URL \`tidings devtools\` printed, e.g. http://127.0.0.1:7420/?token=…`)
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
    const page = parsed
    parsed = new URL('ws', page)
    parsed.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:'
    parsed.search = page.search
  } else if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new TidingsError('E_INVALID_ARGUMENT', `Unsupported URL scheme "${parsed.protocol}": use the http:// page URL or the ws:// endpoint of the hub`)
  }
  if (token !== undefined) parsed.searchParams.set('token', token)
  if (!parsed.searchParams.get('token')) {
    throw new TidingsError('E_INVALID_ARGUMENT', 'No token in the devtools URL: use the full URL `tidings devtools` printed (it ends in ?token=…) or pass { token }')
  }
  parsed.hash = ''
  return parsed.href
}
