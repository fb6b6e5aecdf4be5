/**
 * A setting the page was opened with: `?<param>=` (then kept for this tab's reloads and taken out
 * of the address bar, since such URLs can carry access tokens), else what an earlier load of this
 * tab kept, else `fallback` (the build's).
 */
export function pageSetting(param: string, fallback: string | undefined): string | undefined {
  const key = `tidings-${param}`
  const url = new URL(location.href)
  const fromQuery = url.searchParams.get(param)
  if (fromQuery) {
    sessionStorage.setItem(key, fromQuery)
    url.searchParams.delete(param)
    history.replaceState(history.state, '', url)
    return fromQuery
  }
  return sessionStorage.getItem(key) ?? fallback
}
